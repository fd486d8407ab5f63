// Drives tus-js-client against /files/tus the way Directus's Data Studio does, and prints one JSON line.
// node upload.mjs <endpoint> <token> <file> <chunkBytes> <stopAfterBytes|0> [uploadUrl]
// With stopAfterBytes, the upload is stopped (not terminated) once the server has accepted that many bytes.
// With uploadUrl, the upload resumes there: the offset the server answered to HEAD is printed as resumedFrom.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Upload } from 'tus-js-client';

const [endpoint, token, file, chunkBytes, stopAfter, uploadUrl] = process.argv.slice(2);
const bytes = readFileSync(file);
const result = { url: null, resumedFrom: null, firstPatchOffset: null, stoppedAt: null, fileId: null };

const upload = new Upload(bytes, {
  endpoint,
  uploadUrl: uploadUrl || null,
  chunkSize: Number(chunkBytes),
  retryDelays: null,
  headers: { Authorization: `Bearer ${token}` },
  metadata: { filename_download: basename(file), type: 'application/octet-stream', title: 'tus-js-client upload' },
  onAfterResponse(req, res) {
    if (req.getMethod() === 'HEAD') result.resumedFrom = Number(res.getHeader('Upload-Offset'));
    if (req.getMethod() === 'PATCH' && result.firstPatchOffset === null) result.firstPatchOffset = Number(req.getHeader('Upload-Offset'));
  },
  onChunkComplete(_chunk, accepted) {
    if (Number(stopAfter) > 0 && accepted >= Number(stopAfter) && result.stoppedAt === null) {
      result.stoppedAt = accepted;
      result.url = upload.url;
      // abort(false): the client stops; the upload stays on the server to be resumed.
      upload.abort(false).then(() => finish(0));
    }
  },
  onSuccess(payload) {
    result.url = upload.url;
    result.fileId = payload.lastResponse.getHeader('Directus-File-Id');
    finish(0);
  },
  onError(error) {
    console.error(String(error));
    finish(1);
  },
});

function finish(code) {
  console.log(JSON.stringify(result));
  process.exit(code);
}

upload.start();
