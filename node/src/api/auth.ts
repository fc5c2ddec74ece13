/** The admin token check: `Authorization: Bearer <token>`, compared in constant time. */
import { timingSafeEqual, createHash } from 'node:crypto'
import { ApiError } from './errors.js'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export function checkToken (header: string | undefined, token: string): void {
  if (header === undefined || header === '') throw new ApiError(401, 'missing-token', 'this endpoint changes state or returns plaintext: send the node\'s admin token as "Authorization: Bearer <token>" (it is in admin.token in the node home)')
  const m = /^Bearer\s+(\S+)$/i.exec(header)
  if (m === null) throw new ApiError(401, 'bad-token', 'the Authorization header must be "Bearer <token>"')
  if (!timingSafeEqual(digest(m[1]), digest(token))) throw new ApiError(403, 'wrong-token', 'the admin token is wrong')
}
