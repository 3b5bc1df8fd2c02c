import type { FastifyPluginAsync } from 'fastify';
import organisations from './organisations.js';

/** Every /v1 resource, in one list: the authentication hook in app.ts covers them all. */
export const v1Routes: FastifyPluginAsync[] = [organisations];
