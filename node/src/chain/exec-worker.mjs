// Execution worker entry: plain JS so Node can start it, then the TypeScript worker through tsx.
import { register } from 'tsx/esm/api'
register()
await import('./exec-worker-main.ts')
