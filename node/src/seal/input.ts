/** Opens a recording to seal: a file path, or `-` for standard input. */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'

export interface RecordingInput { stream: AsyncIterable<Uint8Array>, size?: number, name: string }

export async function openRecording (path: string): Promise<RecordingInput> {
  if (path === '-') return { stream: process.stdin, name: 'stdin' }
  let info
  try { info = await stat(path) } catch (err) {
    throw new Error(`cannot read input ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  if (!info.isFile()) throw new Error(`input ${path} is not a regular file`)
  return { stream: createReadStream(path, { highWaterMark: 1 << 20 }), size: info.size, name: path }
}
