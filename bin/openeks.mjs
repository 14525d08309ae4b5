#!/usr/bin/env node
// The `openeks` command. TypeScript runs through tsx's loader so that the CLI, the service and
// the tests execute the same sources, with no separate build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
