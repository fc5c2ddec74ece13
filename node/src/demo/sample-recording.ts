/** A synthetic remote-desktop recording: bursts of screen video (incompressible) between audit events (JSON lines). */
import { randomBytes } from 'node:crypto'

const MIB = 1 << 20

function auditEvents (bytes: number, startMs: number): Buffer {
  const kinds = ['keypress', 'mouse-move', 'mouse-click', 'window-focus', 'clipboard', 'file-open']
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const line = JSON.stringify({ t: startMs + i * 40, event: kinds[i % kinds.length], seq: i, window: i % 7 === 0 ? 'Terminal' : 'Browser', x: (i * 37) % 1920, y: (i * 11) % 1080 }) + '\n'
    lines.push(line)
    size += line.length
  }
  return Buffer.from(lines.join('')).subarray(0, bytes)
}

export function* sampleRecording (segments = 3, startMs = Date.now()): Generator<Buffer> {
  for (let s = 0; s < segments; s++) {
    yield randomBytes(5 * MIB)
    yield auditEvents(MIB + MIB / 2, startMs + s * 60_000)
  }
}
