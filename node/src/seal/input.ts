/** Opens a recording to seal: a file path (read straight into chunk buffers), or `-` for standard input. */
import { open, stat } from 'node:fs/promises'
import { iterableSource, type ChunkSource } from './seal-stream.js'

export interface RecordingInput { source: ChunkSource, size?: number, name: string, close: () => Promise<void> }

export async function openRecording (path: string): Promise<RecordingInput> {
  if (path === '-') return { source: iterableSource(process.stdin), name: 'stdin', close: async () => {} }
  let info
  try { info = await stat(path) } catch (err) {
    throw new Error(`cannot read input ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  if (!info.isFile()) throw new Error(`input ${path} is not a regular file`)
  const handle = await open(path, 'r')
  return {
    name: path,
    size: info.size,
    close: async () => { await handle.close() },
    source: {
      async fill (buffer) {
        let filled = 0
        while (filled < buffer.length) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null)
          if (bytesRead === 0) break
          filled += bytesRead
        }
        return filled
      }
    }
  }
}
