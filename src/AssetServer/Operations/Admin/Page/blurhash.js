// BlurHash decoding (https://blurha.sh, the algorithm of its reference implementation): a short base-83 string holds
// a few cosine components of a small image; decoding sums them back into pixels. Written here so the page needs no
// vendored code. Only decoding: the server computes the hash at upload (metadata.placeholder.blurhash).

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~';

function decode83(text) {
  let value = 0;
  for (const char of text) {
    const digit = DIGITS.indexOf(char);
    if (digit < 0) throw new Error('not a BlurHash character: ' + char);
    value = value * 83 + digit;
  }
  return value;
}

function sRGBToLinear(value) {
  const v = value / 255;
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

function linearToSRGB(value) {
  const v = Math.max(0, Math.min(1, value));
  return v <= 0.0031308 ? Math.trunc(v * 12.92 * 255 + 0.5) : Math.trunc((1.055 * Math.pow(v, 1 / 2.4) - 0.055) * 255 + 0.5);
}

function signPow(value, exponent) {
  return Math.sign(value) * Math.pow(Math.abs(value), exponent);
}

/** True when text has the shape of a BlurHash: the right length for its component count, base-83 digits only. */
export function isBlurHash(text) {
  if (typeof text !== 'string' || text.length < 6) return false;
  for (const char of text) if (DIGITS.indexOf(char) < 0) return false;
  const sizeFlag = decode83(text[0]);
  const componentsY = Math.floor(sizeFlag / 9) + 1;
  const componentsX = (sizeFlag % 9) + 1;
  return text.length === 4 + 2 * componentsX * componentsY;
}

/**
 * Decodes a BlurHash into RGBA pixels (a Uint8ClampedArray of width × height × 4, as ImageData takes).
 * punch > 1 strengthens the contrast, as the reference decoder allows. Throws on a malformed hash.
 */
export function decode(hash, width, height, punch = 1) {
  if (!isBlurHash(hash)) throw new Error('malformed BlurHash');
  const sizeFlag = decode83(hash[0]);
  const componentsY = Math.floor(sizeFlag / 9) + 1;
  const componentsX = (sizeFlag % 9) + 1;
  const maximumValue = (decode83(hash[1]) + 1) / 166;

  const colors = new Array(componentsX * componentsY);
  const dc = decode83(hash.substring(2, 6));
  colors[0] = [sRGBToLinear(dc >> 16), sRGBToLinear((dc >> 8) & 255), sRGBToLinear(dc & 255)];
  for (let i = 1; i < colors.length; i++) {
    const ac = decode83(hash.substring(4 + i * 2, 6 + i * 2));
    const scale = maximumValue * punch;
    colors[i] = [
      signPow((Math.floor(ac / (19 * 19)) - 9) / 9, 2) * scale,
      signPow((Math.floor(ac / 19) % 19 - 9) / 9, 2) * scale,
      signPow((ac % 19 - 9) / 9, 2) * scale,
    ];
  }

  const pixels = new Uint8ClampedArray(width * height * 4);
  // The cosines depend on x or y alone: computed once per row and column instead of per pixel.
  const cosX = new Float64Array(width * componentsX);
  for (let x = 0; x < width; x++) for (let i = 0; i < componentsX; i++) cosX[x * componentsX + i] = Math.cos((Math.PI * x * i) / width);
  const cosY = new Float64Array(height * componentsY);
  for (let y = 0; y < height; y++) for (let j = 0; j < componentsY; j++) cosY[y * componentsY + j] = Math.cos((Math.PI * y * j) / height);

  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < componentsY; j++) {
        const cy = cosY[y * componentsY + j];
        for (let i = 0; i < componentsX; i++) {
          const basis = cosX[x * componentsX + i] * cy;
          const color = colors[i + j * componentsX];
          r += color[0] * basis;
          g += color[1] * basis;
          b += color[2] * basis;
        }
      }
      const offset = 4 * (x + y * width);
      pixels[offset] = linearToSRGB(r);
      pixels[offset + 1] = linearToSRGB(g);
      pixels[offset + 2] = linearToSRGB(b);
      pixels[offset + 3] = 255;
    }
  }
  return pixels;
}

/** The average colour a hash encodes (its DC component) as #rrggbb. */
export function averageColor(hash) {
  if (!isBlurHash(hash)) throw new Error('malformed BlurHash');
  return '#' + decode83(hash.substring(2, 6)).toString(16).padStart(6, '0');
}

/** Draws a hash onto a canvas of the given size (the canvas is then scaled by CSS); false when the hash is malformed. */
export function drawToCanvas(canvas, hash, width = 32, height = 32) {
  if (!isBlurHash(hash)) return false;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return false;
  const image = context.createImageData(width, height);
  image.data.set(decode(hash, width, height));
  context.putImageData(image, 0, 0);
  return true;
}
