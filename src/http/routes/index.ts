import type { FastifyPluginAsync } from 'fastify';
import organisations from './organisations.js';
import subscriptions from './subscriptions.js';
import reports from './reports.js';
import dossiers from './dossiers.js';
import pupils from './pupils.js';
import audit from './audit.js';
import imports from './imports.js';
import enrolments from './enrolments.js';
import signals from './signals.js';
import checks from './checks.js';

/** Every /v1 resource, in one list: the authentication hook in app.ts covers them all. */
export const v1Routes: FastifyPluginAsync[] = [organisations, subscriptions, reports, dossiers, pupils, audit, imports, enrolments, signals, checks];
