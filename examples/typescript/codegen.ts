// Types for every operation in src/, generated from the gateway's checked-in SDL.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      config: {
        scalars: { UUID: 'string', DateTime: 'string', NaiveDate: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
      },
    },
  },
};
export default config;
