/**
 * chime-emulator: a local Amazon Chime chatbot emulator.
 *
 * Start one with {@link createEmulator}; everything else here is for tests
 * and tools that want the parts.
 */
export const EMULATOR_NAME = 'chime-emulator'

export { createEmulator } from './harness.js'
export type { CreateEmulatorOptions, CreateBotInput, BotRef, Emulator, RoomHandle, WaitForBotMessageOptions } from './harness.js'
export { createManualClock, systemClock } from './clock.js'
export type { Clock, ManualClock } from './clock.js'
export { FaultRegistry } from './faults.js'
export type { WebhookFaultSpec, DeliveryFaultSpec, WebhookFault, DeliveryFault, SignatureProbeResult } from './faults.js'
export { DeliveryEngine, DEFAULT_DELIVERY_TIMEOUT_MS, DEFAULT_RETRY_DELAYS_MS } from './delivery.js'
export type { DeliveryRecord, DeliveryAttempt, DeliveryOutcome } from './delivery.js'
export type { ChimeEventPayload, InvitePayload, MentionPayload, RemovePayload } from './events.js'
export { SHORT_LIVED_TTL_MS, WEBHOOK_MAX_PAYLOAD_BYTES, WEBHOOK_MIN_INTERVAL_MS, ROOM_CALLOUT_MAX_MEMBERS } from './webhooks.js'
export { ActivityFeed, CONTROL_PREFIX } from './control.js'
export type { Activity, ActivityEvents, ResetScope } from './control.js'
export type { PostedMessage } from './dispatch.js'
export { EmulatorState } from './state.js'
export type { AccountRecord, BotRecord, EventsConfigurationRecord, RoomRecord, RoomMembershipRecord, MessageRecord, WebhookRecord, UserRecord } from './state.js'
export type { Fixture } from './fixture.js'
export type { LambdaHandler, LambdaContext } from './lambda.js'

// The parts, for tools that compose their own server.
export { awsApi } from './api/index.js'
export type { AwsApiOptions } from './api/index.js'
export { incomingWebhooks } from './webhooks.js'
export { controlApi } from './control.js'
export { loadFixture, FixtureError } from './fixture.js'
export { attachStateFile, StateFileError } from './persistence.js'
export { createLambdaInvoker, createInProcessLambdaInvoker, createHttpLambdaInvoker, LambdaError } from './lambda.js'
export type { LambdaInvoker } from './lambda.js'
export { ChimeServiceError } from './aws/errors.js'
