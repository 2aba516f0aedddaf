/** Jest in native ESM mode (see DESIGN.md: toolchain facts). */
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^nestjs-plugin-host$': '<rootDir>/libs/plugin-host/src/index.ts',
    '^nestjs-plugin-host/admin$': '<rootDir>/libs/plugin-host/src/admin/index.ts',
    '^nestjs-plugin-host/redis$': '<rootDir>/libs/plugin-host/src/redis/index.ts',
    '^nestjs-plugin-host/runtime$': '<rootDir>/libs/plugin-host/src/runtime.ts',
    '^@nestjs-plugin-host/anomaly-contracts$': '<rootDir>/libs/anomaly-contracts/src/index.ts',
    '^@nestjs-plugin-host/([a-z-]+)$': '<rootDir>/plugins/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{libs,plugins,src}/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // test/compat holds whole apps with their own package.json and tests: .ci/compat runs them in fresh folders.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/test/compat/'],
  modulePathIgnorePatterns: [
    '<rootDir>/dist/',
    '<rootDir>/libs/.*/dist',
    '<rootDir>/plugins/.*/dist',
    '<rootDir>/test/compat/',
  ],
};
