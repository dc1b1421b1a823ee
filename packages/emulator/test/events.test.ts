import t from 'tap'
import { buildInviteEvent, buildMentionEvent, buildRemoveEvent, serializeEvent } from '../src/events.js'

const common = { sender: 'alice@example.com', roomId: 'room-1', timestamp: '2019-04-04T21:27:52.736Z' }

t.test('Invite carries the inviter, the room and a Persistent webhook', async t => {
  const event = buildInviteEvent({ ...common, webhookUrl: 'http://127.0.0.1/incomingwebhooks/w?token=t' })
  t.same(event, {
    Sender: { SenderId: 'alice@example.com', SenderIdType: 'EmailId' },
    Discussion: { DiscussionId: 'room-1', DiscussionType: 'Room' },
    EventType: 'Invite',
    InboundHttpsEndpoint: { EndpointType: 'Persistent', Url: 'http://127.0.0.1/incomingwebhooks/w?token=t' },
    EventTimestamp: '2019-04-04T21:27:52.736Z'
  })
  t.same(Object.keys(event), ['Sender', 'Discussion', 'EventType', 'InboundHttpsEndpoint', 'EventTimestamp'], 'keys in the documented order')
})

t.test('Mention adds the message and a ShortLived webhook', async t => {
  const event = buildMentionEvent({ ...common, webhookUrl: 'u', message: '@EchoBot hi' })
  t.equal(event.EventType, 'Mention')
  t.equal(event.Message, '@EchoBot hi')
  t.same(event.InboundHttpsEndpoint, { EndpointType: 'ShortLived', Url: 'u' })
})

t.test('Remove has neither webhook nor message', async t => {
  const event = buildRemoveEvent(common)
  t.equal(event.EventType, 'Remove')
  t.notOk('InboundHttpsEndpoint' in event)
  t.notOk('Message' in event)
})

t.test('events serialise as compact JSON', async t => {
  const text = serializeEvent(buildRemoveEvent(common))
  t.equal(text, '{"Sender":{"SenderId":"alice@example.com","SenderIdType":"EmailId"},"Discussion":{"DiscussionId":"room-1","DiscussionType":"Room"},"EventType":"Remove","EventTimestamp":"2019-04-04T21:27:52.736Z"}')
})
