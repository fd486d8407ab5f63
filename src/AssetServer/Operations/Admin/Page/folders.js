// Folders on the page: the path to the folder the grid shows, the folders in it, and the move menu of the panel.
// Names reach the DOM as text only, as everywhere on the page.

/** A button with text (never HTML). */
function button(text, className) {
  const node = document.createElement('button');
  node.type = 'button';
  if (className) node.className = className;
  node.textContent = text;
  return node;
}

/**
 * The path (All files › Photos › 2026) as buttons, the last marked as the current location; onGo(index) goes to that
 * step (-1: all files).
 */
export function renderPath(list, path, onGo) {
  const steps = [{ name: 'All files' }, ...path];
  list.replaceChildren(...steps.map((step, index) => {
    const item = document.createElement('li');
    const go = button(step.name, 'quiet');
    if (index === steps.length - 1) go.setAttribute('aria-current', 'location');
    go.addEventListener('click', () => onGo(index - 1));
    item.append(go);
    return item;
  }));
}

/** The folders in the current one, each a button that opens it. */
export function renderFolders(list, folders, onOpen) {
  list.replaceChildren(...folders.map((folder) => {
    const item = document.createElement('li');
    const open = button(folder.name, 'folder');
    open.dataset.id = folder.id;
    open.setAttribute('aria-label', `Open the folder ${folder.name}`);
    open.addEventListener('click', () => onOpen(folder));
    item.append(open);
    return item;
  }));
}

/** Each folder's full path (Photos / 2026), so two folders of one name can be told apart in the menu. */
function pathsOf(folders) {
  const byId = new Map(folders.map((f) => [f.id, f]));
  const paths = new Map();
  const pathOf = (folder, seen = new Set()) => {
    if (paths.has(folder.id)) return paths.get(folder.id);
    const parent = folder.parent && byId.get(folder.parent);
    const path = parent && !seen.has(parent.id) ? `${pathOf(parent, seen.add(folder.id))} / ${folder.name}` : folder.name;
    paths.set(folder.id, path);
    return path;
  };
  for (const folder of folders) pathOf(folder);
  return paths;
}

/** The move menu: "No folder" and every folder by its path, the file's own selected. */
export function fillFolderMenu(select, folders, current) {
  const paths = pathsOf(folders);
  const none = document.createElement('option');
  none.value = '';
  none.textContent = 'No folder';
  const options = [...paths.entries()]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([id, path]) => {
      const option = document.createElement('option');
      option.value = id;
      option.textContent = path;
      return option;
    });
  select.replaceChildren(none, ...options);
  select.value = current && paths.has(current) ? current : '';
}

/** The name of a folder in the menu (for status messages). */
export function menuLabel(select) {
  return select.selectedOptions.length > 0 ? select.selectedOptions[0].textContent : '';
}
