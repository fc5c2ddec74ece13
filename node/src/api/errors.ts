/** API errors: every failure the API expects is a 4xx with a JSON body { error: { code, message } }. */
export class ApiError extends Error {
  constructor (readonly statusCode: number, readonly code: string, message: string) { super(message); this.name = 'ApiError' }
}

export const badRequest = (code: string, message: string): ApiError => new ApiError(400, code, message)
export const notFound = (message: string): ApiError => new ApiError(404, 'not-found', message)
