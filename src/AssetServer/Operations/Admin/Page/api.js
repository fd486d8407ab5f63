// The public REST API as the page uses it: the same routes, shapes and bearer token as any Directus client.

/** A failed request: the server's message from {"errors":[{"message"}]}, and the HTTP status. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** The first error message of an error body, else a sentence naming the status. */
export function errorMessage(status, text) {
  try {
    const body = JSON.parse(text);
    const message = body && Array.isArray(body.errors) && body.errors[0] && body.errors[0].message;
    if (typeof message === 'string' && message.length > 0) return message;
  } catch {
    // not JSON: fall through
  }
  return status === 0 ? 'The server could not be reached.' : `The server answered ${status}.`;
}

/** The image types the server renders derivatives of (others are served as the original, so get no thumbnail). */
const RASTER = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff', 'image/avif']);

/** Issue 20: videos and PDFs show their poster (a frame, page 1) through the same derivative URLs. */
function hasPoster(type) {
  return typeof type === 'string' && (type.startsWith('video/') || type === 'application/pdf');
}

export function hasThumbnail(file) {
  return (RASTER.has(file.type) || hasPoster(file.type)) && file.width > 0 && file.height > 0;
}

/** The fields the grid and the panel read: everything but the columns it never shows. */
export const FIELDS = [
  'id', 'title', 'filename_download', 'type', 'filesize', 'width', 'height', 'uploaded_on', 'modified_on',
  'checksum', 'focal_point_x', 'focal_point_y', 'description', 'tags', 'location', 'metadata', 'folder',
].join(',');

export class Api {
  constructor(token) {
    this.token = token;
    /** Whether <img> URLs need ?access_token= (Auth:PublicAssets=false); null until a probe has told. */
    this.assetsNeedToken = null;
  }

  async request(method, path, body, signal) {
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method, headers, signal, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError('The server could not be reached.', 0);
    }
    const text = await response.text();
    if (!response.ok) throw new ApiError(errorMessage(response.status, text), response.status);
    return text.length > 0 ? JSON.parse(text) : null;
  }

  /** GET /files with the Directus query parameters; returns {data, meta}. */
  list({ search, filter, sort, limit, page }, signal) {
    const query = new URLSearchParams({ fields: FIELDS, limit: String(limit), page: String(page), meta: 'filter_count' });
    if (sort) query.set('sort', sort);
    if (search) query.set('search', search);
    if (filter) query.set('filter', JSON.stringify(filter));
    return this.request('GET', `/files?${query}`, undefined, signal);
  }

  async get(id) {
    return (await this.request('GET', `/files/${encodeURIComponent(id)}?fields=${FIELDS}`)).data;
  }

  async update(id, changes) {
    return (await this.request('PATCH', `/files/${encodeURIComponent(id)}?fields=${FIELDS}`, changes)).data;
  }

  async remove(id) {
    await this.request('DELETE', `/files/${encodeURIComponent(id)}`);
  }

  /** The folders in parent (null: the top), by name (GET /folders). */
  async folders(parent) {
    const filter = parent ? { parent: { _eq: parent } } : { parent: { _null: true } };
    const query = new URLSearchParams({ filter: JSON.stringify(filter), sort: 'name', limit: '-1', fields: 'id,name,parent' });
    return (await this.request('GET', `/folders?${query}`)).data;
  }

  /** Every folder, {id, name, parent}: for the move menu. */
  async allFolders() {
    return (await this.request('GET', '/folders?limit=-1&fields=id,name,parent')).data;
  }

  /** POST /folders: a new folder in parent (null: the top). */
  async createFolder(name, parent) {
    return (await this.request('POST', '/folders', { name, parent })).data;
  }

  /** The presets in force (GET /server/presets): [{key, fit, width, height, format}]. */
  async presets() {
    return (await this.request('GET', '/server/presets')).data;
  }

  /** POST /files with one file part, in folder when given; onProgress gets a fraction from 0 to 1. Resolves to the file object. */
  upload(file, onProgress, folder) {
    return this.send('POST', `/files?fields=${FIELDS}`, file, onProgress, folder);
  }

  /** Multipart PATCH /files/:id: the file's content replaced, its id and fields kept. */
  replace(id, file, onProgress) {
    return this.send('PATCH', `/files/${encodeURIComponent(id)}?fields=${FIELDS}`, file, onProgress);
  }

  /** XMLHttpRequest, not fetch: fetch reports no upload progress. */
  send(method, url, file, onProgress, folder) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      // Directus reads the fields before a file part as that file's.
      if (folder) form.append('folder', folder);
      form.append('file', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader('Authorization', `Bearer ${this.token}`);
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
      });
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            const data = JSON.parse(xhr.responseText).data;
            resolve(Array.isArray(data) ? data[0] : data);
          } catch {
            reject(new ApiError('The server sent an answer that is not JSON.', xhr.status));
          }
        } else {
          reject(new ApiError(errorMessage(xhr.status, xhr.responseText), xhr.status));
        }
      });
      xhr.addEventListener('error', () => reject(new ApiError('The upload was interrupted or the server could not be reached.', 0)));
      xhr.addEventListener('abort', () => reject(new ApiError('The upload was cancelled.', 0)));
      xhr.send(form);
    });
  }

  /**
   * Asks once, without a token, whether /assets answers anonymous requests. Only when it does not do <img> URLs
   * carry ?access_token= (the token would otherwise sit in URLs, histories and logs for nothing).
   */
  async probeAssets(id) {
    if (this.assetsNeedToken !== null) return;
    try {
      const response = await fetch(`/assets/${encodeURIComponent(id)}`, { method: 'HEAD', cache: 'no-store', credentials: 'omit' });
      this.assetsNeedToken = response.status === 401 || response.status === 403;
    } catch {
      this.assetsNeedToken = false;
    }
  }

  /**
   * An /assets URL. version (the checksum, with the focal point for crops) is a cache buster: the server ignores
   * ?v=, but a replaced file or a moved focal point gets a new URL, so the browser's long-lived copy is not reused.
   */
  assetUrl(id, params = {}, { version, forLink = false } = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null) query.set(name, String(value));
    if (version) query.set('v', version);
    if (!forLink && this.assetsNeedToken) query.set('access_token', this.token);
    const text = query.toString().replace(/download=(&|$)/, 'download$1');
    return `/assets/${encodeURIComponent(id)}${text ? '?' + text : ''}`;
  }
}
