export { CONFIG_VARIABLES, LOG_LEVELS } from './variables.ts';
export type { ConfigVariable, ConfigVariableName, VariableSchema } from './variables.ts';
export { ConfigError, loadConfig, parseSize } from './load-config.ts';
export type {
  Config,
  DatabaseConfig,
  LogLevel,
  HubSpotAppConfig,
  OAuthClientConfig,
  SandboxDemoConfig,
} from './load-config.ts';
export { renderConfigDoc, renderConfigTable } from './markdown.ts';
