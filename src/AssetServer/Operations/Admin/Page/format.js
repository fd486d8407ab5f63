// Words and numbers for people: sizes, dates, types and an EXIF summary. Pure functions, no DOM.

export function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !isFinite(bytes)) return '';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1000;
    unit++;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(text) {
  if (!text) return '';
  const date = new Date(text);
  return isNaN(date.getTime()) ? String(text) : date.toLocaleString();
}

/** A short badge for a file's kind: its extension when it has a plain one (TXT, PDF), else the MIME subtype. */
export function shortType(type, fileName) {
  const extension = typeof fileName === 'string' ? /\.([A-Za-z0-9]{1,5})$/.exec(fileName) : null;
  if (extension) return extension[1].toUpperCase();
  if (!type) return 'FILE';
  const sub = type.split('/')[1] || type;
  return sub.replace(/^(x-|vnd\.)/, '').replace(/[+;].*$/, '').slice(0, 8).toUpperCase();
}

export function displayName(file) {
  return file.title || file.filename_download || file.id;
}

/** The EXIF facts people look for, in words: camera, exposure, date. */
export function exifSummary(exif) {
  if (!exif || typeof exif !== 'object') return [];
  const rows = [];
  const text = (v) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');
  const make = text(exif.Make);
  let model = text(exif.Model);
  if (make && model.toLowerCase().startsWith(make.toLowerCase())) model = model.slice(make.length).trim();
  const camera = [make, model].filter(Boolean).join(' ');
  if (camera) rows.push(['Camera', camera]);
  const lens = text(exif.LensModel);
  if (lens) rows.push(['Lens', lens]);
  const exposure = [];
  if (typeof exif.ExposureTime === 'number' && exif.ExposureTime > 0) {
    exposure.push(exif.ExposureTime >= 1 ? `${+exif.ExposureTime.toFixed(1)} s` : `1/${Math.round(1 / exif.ExposureTime)} s`);
  }
  if (typeof exif.FNumber === 'number' && exif.FNumber > 0) exposure.push(`f/${+exif.FNumber.toFixed(1)}`);
  const iso = Array.isArray(exif.ISOSpeedRatings) ? exif.ISOSpeedRatings[0] : exif.ISOSpeedRatings;
  if (typeof iso === 'number') exposure.push(`ISO ${iso}`);
  if (typeof exif.FocalLength === 'number' && exif.FocalLength > 0) exposure.push(`${+exif.FocalLength.toFixed(1)} mm`);
  if (exposure.length) rows.push(['Exposure', exposure.join(' · ')]);
  const taken = text(exif.DateTimeOriginal) || text(exif.DateTime);
  if (taken) rows.push(['Taken', taken.replace('T', ' ')]);
  return rows;
}
