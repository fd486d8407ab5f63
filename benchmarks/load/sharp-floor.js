// The sharp floor for the cold transform: the same 200x200 cover WebP q80 rendered in-process by sharp (Node),
// one file after another. Run by run.sh with sharp installed in benchmarks/load/work/node.
//
//   node sharp-floor.js defaults|one|cores WARMUP_FILE FILE...
//
// Prints one line per FILE, the seconds its render took, and sharp's versions and settings on stderr.
//   defaults  sharp as it starts: its concurrency default (the CPU count, but 1 on glibc Linux without jemalloc,
//             which is this machine) and its libvips operation cache (50 MB, 20 files, 100 items)
//   one       concurrency 1 and cache off: the server's settings (Transforms/LibvipsSetup.cs); the floor run.sh
//             uses for the ratios
//   cores     concurrency = CPU count, cache off: what one image costs when it may take every core
'use strict';
const os = require('os');
const sharp = require('sharp');

const [mode, warmup, ...files] = process.argv.slice(2);
if (!['defaults', 'one', 'cores'].includes(mode) || !warmup || files.length === 0) {
  console.error('usage: node sharp-floor.js defaults|one|cores WARMUP_FILE FILE...');
  process.exit(2);
}
if (mode === 'one') {
  sharp.concurrency(1);
  sharp.cache(false);
} else if (mode === 'cores') {
  sharp.concurrency(os.cpus().length);
  sharp.cache(false);
}

// rotate() with no angle applies the EXIF orientation, as the server does; webp() strips metadata by default.
const render = (file) =>
  sharp(file).rotate().resize(200, 200, { fit: 'cover' }).webp({ quality: 80 }).toBuffer();

async function main() {
  console.error(`sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, settings ${mode}: ` +
    `concurrency ${sharp.concurrency()}, cache ${JSON.stringify(sharp.cache())}`);
  // The first render loads libvips's modules and compiles this code path: pay that on another file.
  await render(warmup);
  for (const file of files) {
    const start = process.hrtime.bigint();
    const out = await render(file);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (out.length === 0) throw new Error(`${file}: empty WebP`);
    process.stdout.write(`${seconds.toFixed(6)}\n`);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
