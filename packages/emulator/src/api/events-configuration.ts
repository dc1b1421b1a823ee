/**
 * PutEventsConfiguration (the seed), GetEventsConfiguration,
 * DeleteEventsConfiguration. Put verifies before it saves: the HTTPS
 * handshake for an endpoint, AddPermission + a DryRun Invoke for a Lambda
 * ARN. When verification fails the previous configuration stays.
 */
import type { FastifyInstance } from 'fastify'
import { badRequest } from '../aws/errors.js'
import { LambdaError, parseLambdaArn } from '../lambda.js'
import { bodyOf, optionalString } from './shapes.js'
import type { ApiContext, ChimeRoute } from './context.js'

const PATH = '/accounts/:accountId/bots/:botId/events-configuration'

export function eventsConfigurationRoutes (app: FastifyInstance, { state, verifier, lambda, name }: ApiContext): void {
  app.put<ChimeRoute>(PATH, async (request, reply) => {
    name(request, 'PutEventsConfiguration')
    const { accountId, botId } = request.params
    const body = bodyOf(request.body)
    const endpoint = optionalString(body, 'OutboundEventsHTTPSEndpoint') ?? ''
    const arn = optionalString(body, 'LambdaFunctionArn') ?? ''
    if (endpoint !== '' && arn !== '') {
      throw badRequest('Give either OutboundEventsHTTPSEndpoint or LambdaFunctionArn, not both: a bot receives its events in one place.')
    }
    if (endpoint === '' && arn === '') {
      throw badRequest('Give OutboundEventsHTTPSEndpoint (an https:// URL that answers the verification challenge) or LambdaFunctionArn (arn:aws:lambda:<region>:<account>:function:<name>).')
    }
    state.getBot(accountId, botId)
    if (endpoint !== '') {
      await verifier.verify(endpoint)
      request.log.info({ botId, endpoint }, `handshake passed: ${endpoint} echoed the challenge`)
      const configuration = state.putEventsConfiguration(accountId, botId, { OutboundEventsHTTPSEndpoint: endpoint })
      return await reply.code(201).send({ EventsConfiguration: configuration })
    }
    if (parseLambdaArn(arn) === undefined) {
      throw badRequest(`LambdaFunctionArn '${arn}' is not a Lambda function ARN; expected arn:aws:lambda:<region>:<12-digit account id>:function:<name>.`)
    }
    try {
      await lambda.addPermission(arn)
      await lambda.invoke(arn, {}, { invocationType: 'DryRun' })
    } catch (error) {
      if (error instanceof LambdaError) {
        throw badRequest(`Amazon Chime could not verify the Lambda function ${arn}: ${error.message} The previous events configuration is unchanged.`)
      }
      throw error
    }
    request.log.info({ botId, arn }, `Lambda check passed: AddPermission and a DryRun Invoke of ${arn} succeeded`)
    const configuration = state.putEventsConfiguration(accountId, botId, { LambdaFunctionArn: arn })
    return await reply.code(201).send({ EventsConfiguration: configuration })
  })

  app.get<ChimeRoute>(PATH, async (request) => {
    name(request, 'GetEventsConfiguration')
    return { EventsConfiguration: state.getEventsConfiguration(request.params.accountId, request.params.botId) }
  })

  app.delete<ChimeRoute>(PATH, async (request, reply) => {
    name(request, 'DeleteEventsConfiguration')
    state.deleteEventsConfiguration(request.params.accountId, request.params.botId)
    return await reply.code(204).send()
  })
}
