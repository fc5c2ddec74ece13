import { sampleChunk } from './protocols/poot/chunk-samples.js'
const blob = new Uint8Array(8 * 1024 * 1024).fill(3)
for (let r = 0; r < 4; r++) {
  const t = performance.now(); sampleChunk({ slot: 1, index: 0, sample: r }, blob)
  console.log(`sampleChunk 8 MiB ${(performance.now() - t).toFixed(1)} ms`)
}
