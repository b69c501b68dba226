// sfdx-lwc-jest (run by `npm test` after vitest): only the Lightning Web Components' tests, so jest
// never picks up the vitest files. sfdx-lwc-jest reads the root sfdx-project.json.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  roots: ['<rootDir>/cards/salesforce/force-app'],
  testMatch: ['**/lwc/**/__tests__/**/*.test.js'],
};
