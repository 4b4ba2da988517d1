// Draws a QR grid as one SVG path (a rectangle per run of dark modules in a row), with the quiet zone
// of four modules the standard asks for. Pure strings: the component puts them in an <svg> element.
import type { QrCode } from './qr-encode.js';

export const QR_QUIET_ZONE = 4;

export function qrViewBoxSize(qr: QrCode): number {
  return qr.size + 2 * QR_QUIET_ZONE;
}

export function qrPath(qr: QrCode): string {
  let d = '';
  qr.modules.forEach((row, y) => {
    let x = 0;
    while (x < qr.size) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < qr.size && row[x]) x++;
      d += `M${start + QR_QUIET_ZONE} ${y + QR_QUIET_ZONE}h${x - start}v1h${start - x}z`;
    }
  });
  return d;
}
