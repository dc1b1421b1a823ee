/**
 * SigV4 as far as an emulator needs it: every API request must carry a
 * well-formed `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/chime/aws4_request,
 * SignedHeaders=…, Signature=<hex>` header. The signature itself is not
 * recomputed (there are no secrets to check it against); an optional
 * allow-list of access key ids stands in for IAM.
 */
import { forbidden, unauthorized } from './errors.js'

/** What the Authorization header says about the caller. */
export interface SigV4Credential {
  accessKeyId: string
  date: string
  region: string
  service: string
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/

/**
 * Reads the caller's credential from a SigV4 Authorization header, or throws
 * UnauthorizedClientException (missing or malformed header, wrong service)
 * or ForbiddenException (an access key outside `accessKeys`, when given).
 */
export function authenticate (authorization: string | undefined, accessKeys?: readonly string[]): SigV4Credential {
  if (authorization === undefined || authorization === '') {
    throw unauthorized('The request is not signed: it has no Authorization header. Sign it with AWS Signature Version 4 (the AWS CLI and SDKs do this when credentials are set, e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).')
  }
  const match = AUTHORIZATION.exec(authorization.trim())
  if (match === null) {
    throw unauthorized('The Authorization header is not a well-formed AWS Signature Version 4 header (expected "AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/chime/aws4_request, SignedHeaders=…, Signature=<64 hex digits>").')
  }
  const [, accessKeyId, date, region, service] = match as unknown as [string, string, string, string, string]
  if (service !== 'chime') {
    throw unauthorized(`The request is signed for the service '${service}', but this is the Amazon Chime API: sign it for 'chime'.`)
  }
  if (accessKeys !== undefined && !accessKeys.includes(accessKeyId)) {
    throw forbidden(`The access key '${accessKeyId}' is not allowed by this emulator; it accepts only the keys given with the accessKeys option.`)
  }
  return { accessKeyId, date, region, service }
}
