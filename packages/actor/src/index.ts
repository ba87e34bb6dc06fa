export { ActorHost, type Actor, type ActorHostOptions, type DeactivationReason } from './actor-host.js';
export { Mailbox, MailboxFullError } from './mailbox.js';
export { systemClock, type Clock } from './clock.js';
