// The media-library page. Every value that came from the server reaches the DOM through textContent, property
// assignments or setAttribute, never as HTML: file names and metadata are data, whatever characters they hold.

import { Api, ApiError, hasThumbnail } from './api.js';
import { drawToCanvas, isBlurHash } from './blurhash.js';
import { displayName, exifSummary, formatBytes, formatDate, shortType } from './format.js';
import { fillFolderMenu, menuLabel, renderFolders, renderPath } from './folders.js';

const TOKEN_KEY = 'assetserver.token';
const PAGE_SIZE = 24;
const SEARCH_DELAY_MS = 250;
const UPLOADS_AT_ONCE = 2;
const THUMB_WIDTHS = [160, 320, 480];

const TYPE_FILTERS = {
  all: null,
  image: { type: { _starts_with: 'image/' } },
  video: { type: { _starts_with: 'video/' } },
  audio: { type: { _starts_with: 'audio/' } },
  document: { _or: [{ type: { _starts_with: 'application/' } }, { type: { _starts_with: 'text/' } }] },
};

const $ = (id) => document.getElementById(id);

/** A new element with a class and text (text, never HTML). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const state = {
  api: null,
  page: 1,
  pages: 1,
  search: '',
  type: 'all',
  sort: '-uploaded_on',
  /** The folders from the top to the one the grid shows ({id, name}); empty: all files, in any folder or none. */
  folderPath: [],
  presets: null,
  loadController: null,
  loadSequence: 0,
  /** The file open in the panel (as last read from the server), and the tile to give focus back to. */
  current: null,
};

/** The folder the grid shows, or null for all files. */
function currentFolder() {
  return state.folderPath.length > 0 ? state.folderPath[state.folderPath.length - 1].id : null;
}

/** The grid's filter: the type chosen, within the folder open. */
function gridFilter() {
  const type = TYPE_FILTERS[state.type];
  const folder = currentFolder();
  if (!folder) return type;
  const inFolder = { folder: { _eq: folder } };
  return type ? { _and: [type, inFolder] } : inFolder;
}

/** The placeholder the server stored at upload ({blurhash, color}), checked before use. */
function placeholderOf(file) {
  const placeholder = file.metadata && typeof file.metadata === 'object' ? file.metadata.placeholder : null;
  if (!placeholder || typeof placeholder !== 'object') return { blurhash: null, color: null };
  return {
    blurhash: isBlurHash(placeholder.blurhash) ? placeholder.blurhash : null,
    color: typeof placeholder.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(placeholder.color) ? placeholder.color : null,
  };
}

/** The cache buster of a file's derivatives: new content or a new focal point is a new URL. */
function versionOf(file, withFocalPoint) {
  let version = (file.checksum || file.modified_on || file.uploaded_on || '').slice(0, 16);
  if (withFocalPoint && file.focal_point_x != null && file.focal_point_y != null) version += `-${file.focal_point_x}-${file.focal_point_y}`;
  return version || undefined;
}

function thumbUrl(file, width) {
  return state.api.assetUrl(file.id, { width, height: width, fit: 'cover', format: 'webp', quality: 75 }, { version: versionOf(file, true) });
}

// ---------- sign-in ----------

async function signIn(token, { remembered = false } = {}) {
  const api = new Api(token);
  const error = $('token-error');
  error.textContent = '';
  try {
    await api.list({ limit: 0, page: 1 });
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (e.status === 401) error.textContent = remembered ? 'The saved token is no longer accepted. Enter a token.' : 'This token is not valid.';
    else if (e.status === 403) error.textContent = 'This token may not read files.';
    else error.textContent = e.message;
    showSignIn();
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  state.api = api;
  state.presets = null;
  $('token').value = '';
  $('sign-in').hidden = true;
  $('library').hidden = false;
  $('sign-out').hidden = false;
  await load();
  $('search').focus();
}

function showSignIn() {
  state.api = null;
  state.folderPath = [];
  $('library').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('grid').replaceChildren();
  $('token').focus();
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  if ($('detail').open) $('detail').close();
  showSignIn();
  $('token-error').textContent = message || '';
}

/** A 401 after sign-in means the token was revoked: back to the prompt. */
function handleError(e, where) {
  if (e instanceof ApiError && e.status === 401) {
    signOut('The server no longer accepts this token. Enter a token.');
    return;
  }
  where.textContent = e.message;
}

// ---------- the grid ----------

async function load() {
  const api = state.api;
  if (!api) return;
  state.loadController?.abort();
  const controller = new AbortController();
  state.loadController = controller;
  const sequence = ++state.loadSequence;
  const grid = $('grid');
  grid.setAttribute('aria-busy', 'true');
  let answer;
  try {
    answer = await api.list({
      search: state.search, filter: gridFilter(), sort: state.sort, limit: PAGE_SIZE, page: state.page,
    }, controller.signal);
  } catch (e) {
    if (e.name === 'AbortError') return;
    grid.removeAttribute('aria-busy');
    handleError(e, $('status'));
    return;
  }
  // Signed out, or a newer search started, while this one was on its way.
  if (sequence !== state.loadSequence || state.api !== api) return;
  const files = answer.data || [];
  const count = answer.meta && typeof answer.meta.filter_count === 'number' ? answer.meta.filter_count : files.length;
  state.pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  if (state.page > state.pages && count > 0) {
    state.page = state.pages;
    load();
    return;
  }
  if (files.length > 0) await api.probeAssets(files[0].id);
  if (sequence !== state.loadSequence || state.api !== api) return;

  grid.replaceChildren(...files.map(tile));
  grid.removeAttribute('aria-busy');
  loadFolders();
  $('status').textContent = count === 0
    ? (state.search || state.type !== 'all' ? 'No files match.' : currentFolder() ? 'No files in this folder.' : 'No files yet: upload some.')
    : `${count} ${count === 1 ? 'file' : 'files'}`;
  $('page-info').textContent = `Page ${state.page} of ${state.pages}`;
  $('prev').disabled = state.page <= 1;
  $('next').disabled = state.page >= state.pages;
  $('pager').hidden = state.pages <= 1;
}

function tile(file) {
  const item = el('li');
  const button = el('button', 'tile');
  button.type = 'button';
  button.dataset.id = file.id;
  const thumb = el('span', 'thumb');
  const { blurhash, color } = placeholderOf(file);
  if (color) thumb.style.backgroundColor = color;

  if (hasThumbnail(file)) {
    if (blurhash) {
      const canvas = el('canvas', 'placeholder');
      canvas.setAttribute('aria-hidden', 'true');
      if (drawToCanvas(canvas, blurhash)) thumb.append(canvas);
    }
    const img = el('img');
    img.alt = '';
    img.decoding = 'async';
    img.loading = 'lazy';
    img.sizes = '(max-width: 480px) 45vw, 180px';
    img.addEventListener('load', () => thumb.classList.add('loaded'), { once: true });
    img.addEventListener('error', () => {
      thumb.classList.add('failed');
      thumb.append(el('span', 'badge', 'No preview'));
    }, { once: true });
    img.srcset = THUMB_WIDTHS.map((w) => `${thumbUrl(file, w)} ${w}w`).join(', ');
    img.src = thumbUrl(file, 320);
    thumb.append(img);
  } else {
    thumb.classList.add('no-image');
    thumb.append(el('span', 'badge', shortType(file.type, file.filename_download)));
  }

  const name = el('span', 'name', displayName(file));
  const facts = [shortType(file.type, file.filename_download), formatBytes(file.filesize)];
  if (file.width && file.height) facts.push(`${file.width}×${file.height}`);
  button.append(thumb, name, el('span', 'facts', facts.filter(Boolean).join(' · ')));
  button.addEventListener('click', () => openDetail(file.id, button));
  item.append(button);
  return item;
}

// ---------- folders ----------

/** The path to the open folder and the folders in it. */
async function loadFolders() {
  const api = state.api;
  const folder = currentFolder();
  let folders;
  try {
    folders = await api.folders(folder);
  } catch (e) {
    handleError(e, $('folder-status'));
    return;
  }
  if (state.api !== api || currentFolder() !== folder) return;
  renderPath($('folder-path'), state.folderPath, goToStep);
  renderFolders($('folder-list'), folders, openFolder);
}

function openFolder(folder) {
  state.folderPath = [...state.folderPath, { id: folder.id, name: folder.name }];
  state.page = 1;
  $('folder-status').textContent = '';
  load();
}

/** Back up the path: -1 is all files. */
function goToStep(index) {
  state.folderPath = state.folderPath.slice(0, index + 1);
  state.page = 1;
  $('folder-status').textContent = '';
  load();
}

async function createFolder(e) {
  e.preventDefault();
  const input = $('new-folder-name');
  const name = input.value.trim();
  if (!name) return;
  const status = $('folder-status');
  try {
    const folder = await state.api.createFolder(name, currentFolder());
    input.value = '';
    status.textContent = `Created the folder ${folder.name}.`;
    await loadFolders();
  } catch (err) {
    handleError(err, status);
  }
}

/** The panel's move menu, read fresh each time the panel opens (folders change from other clients too). */
async function loadFolderMenu(file) {
  const select = $('move-folder');
  try {
    const folders = await state.api.allFolders();
    if (state.current?.id !== file.id) return;
    fillFolderMenu(select, folders, file.folder);
  } catch (e) {
    handleError(e, $('move-status'));
  }
}

async function moveToFolder() {
  const file = state.current;
  if (!file) return;
  const select = $('move-folder');
  const status = $('move-status');
  const folder = select.value || null;
  status.textContent = 'Moving…';
  try {
    const updated = await state.api.update(file.id, { folder });
    if (state.current?.id !== file.id) return;
    state.current = updated;
    status.textContent = folder ? `Moved to ${menuLabel(select)}.` : 'Taken out of its folder.';
    // The file may have left the folder the grid shows, or come into it.
    load();
  } catch (e) {
    select.value = file.folder || '';
    handleError(e, status);
  }
}

// ---------- uploads ----------

const uploadQueue = [];
let uploadsRunning = 0;

function enqueueUploads(fileList) {
  if (!state.api) return;
  const list = $('uploads');
  for (const file of fileList) {
    const item = el('li', 'upload');
    item.dataset.state = 'waiting';
    const name = el('span', 'upload-name', file.name);
    const progress = el('progress');
    progress.max = 1;
    progress.value = 0;
    progress.setAttribute('aria-label', `Upload of ${file.name}`);
    const status = el('span', 'upload-status', 'Waiting');
    item.append(name, progress, status);
    list.append(item);
    // Into the folder open when the files were chosen, even if the person browses on meanwhile.
    uploadQueue.push({ file, item, progress, status, folder: currentFolder() });
  }
  $('uploads-panel').hidden = list.children.length === 0;
  pumpUploads();
}

function pumpUploads() {
  while (uploadsRunning < UPLOADS_AT_ONCE && uploadQueue.length > 0) {
    const job = uploadQueue.shift();
    uploadsRunning++;
    runUpload(job).finally(() => {
      uploadsRunning--;
      if (uploadsRunning === 0 && uploadQueue.length === 0) uploadsFinished();
      else pumpUploads();
    });
  }
}

async function runUpload({ file, item, progress, status, folder }) {
  if (!state.api) {
    item.dataset.state = 'failed';
    status.textContent = 'Not uploaded: signed out.';
    return;
  }
  item.dataset.state = 'uploading';
  status.textContent = 'Uploading…';
  try {
    await state.api.upload(file, (fraction) => {
      progress.value = fraction;
      status.textContent = fraction < 1 ? `${Math.round(fraction * 100)} %` : 'Processing…';
    }, folder);
    progress.value = 1;
    item.dataset.state = 'done';
    status.textContent = 'Uploaded';
  } catch (e) {
    item.dataset.state = 'failed';
    status.textContent = e.message;
    status.setAttribute('role', 'alert');
    if (e.status === 401) signOut('The server no longer accepts this token. Enter a token.');
  }
}

function uploadsFinished() {
  if (!state.api) return;
  const items = [...$('uploads').children];
  const failed = items.filter((i) => i.dataset.state === 'failed').length;
  const done = items.filter((i) => i.dataset.state === 'done').length;
  $('uploads-summary').textContent = failed ? `${done} uploaded, ${failed} failed` : `${done} uploaded`;
  // Newest first is where new files show up: go there unless the person chose another order.
  state.page = 1;
  load();
}

function clearUploads() {
  for (const item of [...$('uploads').children]) if (item.dataset.state === 'done' || item.dataset.state === 'failed') item.remove();
  $('uploads-summary').textContent = '';
  $('uploads-panel').hidden = $('uploads').children.length === 0;
}

function setUpDropZone() {
  const zone = $('drop-zone');
  let depth = 0;
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!state.api || !hasFiles(e)) return;
    e.preventDefault();
    depth++;
    zone.hidden = false;
  });
  document.addEventListener('dragover', (e) => {
    if (!state.api || !hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', (e) => {
    if (!state.api || !hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.hidden = true;
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    zone.hidden = true;
    if (state.api && e.dataTransfer.files.length > 0) enqueueUploads(e.dataTransfer.files);
  });
}

// ---------- the detail panel ----------

async function openDetail(id, returnTo) {
  const api = state.api;
  let file;
  try {
    file = await api.get(id);
  } catch (e) {
    handleError(e, $('status'));
    return;
  }
  if (state.api !== api) return;
  state.current = file;
  state.returnTo = returnTo;
  fillDetail(file);
  const dialog = $('detail');
  if (!dialog.open) dialog.showModal();
  $('detail-close').focus();
  loadPresets();
}

function fillDetail(file) {
  $('detail-title').textContent = displayName(file);
  $('detail-status').textContent = '';

  // Preview: a derivative that shows the whole image, never the original.
  const image = hasThumbnail(file);
  $('preview-pane').hidden = !image;
  $('no-preview').hidden = image;
  $('no-preview').textContent = image ? '' : `No preview for ${file.type || 'this file'}.`;
  if (image) {
    const version = versionOf(file, false);
    const inside = (w) => state.api.assetUrl(file.id, { width: w, height: w, fit: 'inside', format: 'webp', withoutEnlargement: true }, { version });
    const preview = $('preview');
    preview.alt = `Preview of ${displayName(file)}`;
    preview.srcset = [480, 800, 1200].map((w) => `${inside(w)} ${w}w`).join(', ');
    preview.src = inside(800);
    $('focal-x').max = String(file.width - 1);
    $('focal-y').max = String(file.height - 1);
    showFocalPoint(file);
  }

  const facts = $('facts');
  facts.replaceChildren();
  const addFact = (list, term, value) => {
    if (value === undefined || value === null || value === '') return;
    list.append(el('dt', null, term), el('dd', null, value));
  };
  addFact(facts, 'File name', file.filename_download);
  addFact(facts, 'Type', file.type);
  addFact(facts, 'Size', `${formatBytes(file.filesize)} (${file.filesize} bytes)`);
  if (file.width && file.height) addFact(facts, 'Dimensions', `${file.width} × ${file.height} px`);
  addFact(facts, 'Uploaded', formatDate(file.uploaded_on));
  if (file.modified_on) addFact(facts, 'Modified', formatDate(file.modified_on));
  addFact(facts, 'Location', file.location);
  addFact(facts, 'Id', file.id);

  const exif = exifSummary(file.metadata && file.metadata.exif);
  $('exif-section').hidden = exif.length === 0;
  const exifList = $('exif');
  exifList.replaceChildren();
  for (const [term, value] of exif) addFact(exifList, term, value);

  $('edit-title').value = file.title ?? '';
  $('edit-description').value = file.description ?? '';
  $('edit-tags').value = Array.isArray(file.tags) ? file.tags.join(', ') : '';
  $('edit-status').textContent = '';

  const download = $('download');
  download.href = state.api.assetUrl(file.id, { download: '' });
  download.setAttribute('download', file.filename_download || '');
  $('replace').value = '';
  $('replace-progress').hidden = true;
  $('replace-status').textContent = '';
  $('move-status').textContent = '';
  loadFolderMenu(file);
  renderPresetLinks();
}

function showFocalPoint(file) {
  const marker = $('focal-marker');
  const has = file.focal_point_x != null && file.focal_point_y != null;
  marker.hidden = !has;
  if (has) {
    marker.style.left = `${(100 * (file.focal_point_x + 0.5)) / file.width}%`;
    marker.style.top = `${(100 * (file.focal_point_y + 0.5)) / file.height}%`;
  }
  $('focal-x').value = has ? String(file.focal_point_x) : '';
  $('focal-y').value = has ? String(file.focal_point_y) : '';
  $('focal-text').textContent = has
    ? `Focal point at ${file.focal_point_x}, ${file.focal_point_y} (pixels of the original).`
    : 'No focal point: cover crops keep the centre.';
  // The next cover crop follows the focal point: a new URL (the focal point is in its version) loads it fresh.
  const cover = (w) => state.api.assetUrl(file.id, { width: w, height: Math.round(w / 2), fit: 'cover', format: 'webp' }, { version: versionOf(file, true) });
  const coverImage = $('cover-preview');
  coverImage.srcset = `${cover(320)} 320w, ${cover(640)} 640w`;
  coverImage.src = cover(320);
}

async function setFocalPoint(x, y) {
  const file = state.current;
  if (!file) return;
  const status = $('focal-status');
  status.textContent = 'Saving the focal point…';
  try {
    const updated = await state.api.update(file.id, { focal_point_x: x, focal_point_y: y });
    if (state.current?.id !== file.id) return;
    state.current = updated;
    showFocalPoint(updated);
    status.textContent = x === null ? 'Focal point cleared.' : 'Focal point saved.';
    refreshTile(updated);
  } catch (e) {
    handleError(e, status);
  }
}

function previewClicked(e) {
  const file = state.current;
  if (!file || !file.width || !file.height) return;
  const rect = $('preview').getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) return;
  // The preview shows the whole upright image, so a fraction of its box is that fraction of the original's pixels.
  const fx = Math.min(file.width - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * file.width)));
  const fy = Math.min(file.height - 1, Math.max(0, Math.floor(((e.clientY - rect.top) / rect.height) * file.height)));
  setFocalPoint(fx, fy);
}

function focalFormSubmitted(e) {
  e.preventDefault();
  const file = state.current;
  const x = Number.parseInt($('focal-x').value, 10);
  const y = Number.parseInt($('focal-y').value, 10);
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= file.width || y >= file.height) {
    $('focal-status').textContent = `Enter x from 0 to ${file.width - 1} and y from 0 to ${file.height - 1}.`;
    return;
  }
  setFocalPoint(x, y);
}

/** Replaces the tile of a changed file in place (its title or its crop changed). */
function refreshTile(file) {
  const old = [...document.querySelectorAll('#grid .tile')].find((t) => t.dataset.id === file.id);
  if (!old) return;
  const fresh = tile(file);
  const hadFocus = document.activeElement === old;
  old.parentElement.replaceWith(fresh);
  if (hadFocus) fresh.querySelector('.tile').focus();
  if (state.returnTo === old) state.returnTo = fresh.querySelector('.tile');
}

async function saveEdits(e) {
  e.preventDefault();
  const file = state.current;
  const status = $('edit-status');
  const tags = $('edit-tags').value.split(',').map((t) => t.trim()).filter(Boolean);
  const changes = {
    title: $('edit-title').value.trim() || null,
    description: $('edit-description').value.trim() || null,
    tags: tags.length ? tags : null,
  };
  status.textContent = 'Saving…';
  try {
    const updated = await state.api.update(file.id, changes);
    if (state.current?.id !== file.id) return;
    state.current = updated;
    $('detail-title').textContent = displayName(updated);
    status.textContent = 'Saved.';
    refreshTile(updated);
  } catch (err) {
    handleError(err, status);
  }
}

// ---------- presets (copy-URL buttons) ----------

async function loadPresets() {
  if (state.presets !== null) return;
  try {
    state.presets = await state.api.presets();
  } catch {
    state.presets = [];
  }
  renderPresetLinks();
}

function presetLabel(preset) {
  const size = preset.width && preset.height ? `${preset.width}×${preset.height}` : preset.width ? `${preset.width} wide` : preset.height ? `${preset.height} high` : '';
  return [size, preset.fit, preset.format].filter(Boolean).join(' ');
}

function renderPresetLinks() {
  const list = $('preset-links');
  list.replaceChildren();
  const file = state.current;
  if (!file || !state.api) return;
  // Links are for other pages and people: an absolute URL, and never the token.
  const links = [{ key: null, label: 'Original', url: state.api.assetUrl(file.id, {}, { forLink: true }) }];
  if (hasThumbnail(file)) {
    for (const preset of state.presets || []) {
      links.push({ key: preset.key, label: presetLabel(preset), url: state.api.assetUrl(file.id, { key: preset.key }, { forLink: true }) });
    }
  }
  links.forEach((link, index) => {
    const item = el('li', 'link-row');
    const id = `link-${index}`;
    const label = el('label', null, link.key ?? 'original');
    label.htmlFor = id;
    if (link.key && link.label) label.append(el('span', 'hint', ` ${link.label}`));
    const input = el('input');
    input.id = id;
    input.readOnly = true;
    input.value = new URL(link.url, location.origin).href;
    const button = el('button', null, 'Copy');
    button.type = 'button';
    button.setAttribute('aria-label', `Copy the ${link.key ?? 'original'} URL`);
    button.addEventListener('click', () => copy(input, link.key ?? 'original'));
    item.append(label, input, button);
    list.append(item);
  });
}

async function copy(input, name) {
  const status = $('copy-status');
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard API');
    await navigator.clipboard.writeText(input.value);
    status.textContent = `Copied the ${name} URL.`;
    return;
  } catch {
    // Plain-HTTP origins have no clipboard API: select the text and use the older command.
  }
  input.focus();
  input.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  status.textContent = copied ? `Copied the ${name} URL.` : 'Press Ctrl+C (⌘C) to copy the selected URL.';
}

// ---------- replace and delete ----------

async function replaceContent() {
  const input = $('replace');
  const file = state.current;
  if (!file || input.files.length === 0) return;
  const progress = $('replace-progress');
  const status = $('replace-status');
  progress.hidden = false;
  progress.value = 0;
  status.removeAttribute('role');
  status.textContent = 'Uploading…';
  try {
    const updated = await state.api.replace(file.id, input.files[0], (fraction) => {
      progress.value = fraction;
    });
    if (state.current?.id !== file.id) return;
    state.current = updated;
    fillDetail(updated);
    $('replace-status').textContent = 'Content replaced.';
    refreshTile(updated);
  } catch (e) {
    progress.hidden = true;
    status.setAttribute('role', 'alert');
    handleError(e, status);
  }
  input.value = '';
}

function askDelete() {
  const file = state.current;
  if (!file) return;
  $('confirm-name').textContent = displayName(file);
  const dialog = $('confirm-delete');
  dialog.returnValue = '';
  dialog.showModal();
}

async function confirmClosed() {
  const file = state.current;
  if ($('confirm-delete').returnValue !== 'delete' || !file) return;
  try {
    await state.api.remove(file.id);
  } catch (e) {
    handleError(e, $('detail-status'));
    return;
  }
  state.returnTo = null;
  $('detail').close();
  $('status').textContent = `Deleted ${displayName(file)}.`;
  await load();
  $('status').textContent = `Deleted ${displayName(file)}. ${$('status').textContent}`;
  const first = document.querySelector('#grid .tile');
  (first || $('search')).focus();
}

function detailClosed() {
  state.current = null;
  const back = state.returnTo;
  state.returnTo = null;
  if (back && back.isConnected) back.focus();
}

// ---------- wiring ----------

function start() {
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (token) signIn(token);
  });
  $('sign-out').addEventListener('click', () => signOut());

  let searchTimer = 0;
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.search = $('search').value.trim();
      state.page = 1;
      load();
    }, SEARCH_DELAY_MS);
  });
  $('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(searchTimer);
    state.search = $('search').value.trim();
    state.page = 1;
    load();
  });
  $('type').addEventListener('change', () => {
    state.type = $('type').value in TYPE_FILTERS ? $('type').value : 'all';
    state.page = 1;
    load();
  });
  $('sort').addEventListener('change', () => {
    state.sort = $('sort').value;
    state.page = 1;
    load();
  });
  $('prev').addEventListener('click', () => {
    if (state.page > 1) {
      state.page--;
      load();
    }
  });
  $('next').addEventListener('click', () => {
    if (state.page < state.pages) {
      state.page++;
      load();
    }
  });

  $('upload').addEventListener('change', () => {
    const input = $('upload');
    enqueueUploads([...input.files]);
    input.value = '';
  });
  $('uploads-clear').addEventListener('click', clearUploads);
  $('new-folder-form').addEventListener('submit', createFolder);
  $('move-folder').addEventListener('change', moveToFolder);
  setUpDropZone();

  $('detail-close').addEventListener('click', () => $('detail').close());
  $('detail').addEventListener('close', detailClosed);
  $('preview').addEventListener('click', previewClicked);
  $('focal-form').addEventListener('submit', focalFormSubmitted);
  $('focal-clear').addEventListener('click', () => setFocalPoint(null, null));
  $('edit-form').addEventListener('submit', saveEdits);
  $('replace').addEventListener('change', replaceContent);
  $('delete').addEventListener('click', askDelete);
  $('confirm-delete').addEventListener('close', confirmClosed);

  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved, { remembered: true });
  else showSignIn();
}

start();
