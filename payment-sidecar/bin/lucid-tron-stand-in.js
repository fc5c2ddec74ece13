#!/usr/bin/env node
// The `lucid-tron-stand-in` command (a local TRON full node for the payout sidecar, ../stand-in/main.ts).
import { launch } from './launch.js'

await launch('lucid-tron-stand-in', import.meta.url, '../stand-in/main.ts')
