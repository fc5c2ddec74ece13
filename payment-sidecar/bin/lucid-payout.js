#!/usr/bin/env node
// The `lucid-payout` command (the TRON payout sidecar, ../src/cli/main.ts).
import { launch } from './launch.js'

await launch('lucid-payout', import.meta.url, '../src/cli/main.ts')
