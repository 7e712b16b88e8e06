export * from './protocol.js';
export * from './manifest.js';
export * from './playback.js';
export * from './health.js';
export * from './coverage-report.js';
export * from './receiver.js';
export * from './enrolment.js';
