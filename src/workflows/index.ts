// The workflow types the worker registers: the generic interpreter and the named scenarios.
export { runbook } from './runbook.js';
export { databaseBackup, databaseLoss, databaseRestore, drDrill, restoreTest, serviceOutage, securityBreach } from './scenarios.js';
