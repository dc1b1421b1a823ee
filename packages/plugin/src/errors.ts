/**
 * Every error the plugin creates, in one catalogue. Each has a stable `code`
 * (what to match on), a `statusCode` where it maps to an HTTP answer, and a
 * message written for someone who has never seen Chime. The README's
 * "Errors" table lists the same codes.
 */
import createError from '@fastify/error'

// ── options (thrown at registration) ────────────────────────────────────────

// ── receiving events (core/bot, adapters) ───────────────────────────────────

// ── replying (core/reply) ───────────────────────────────────────────────────

// ── lambda adapter ──────────────────────────────────────────────────────────

export { createError }
