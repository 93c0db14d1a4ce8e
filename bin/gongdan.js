#!/usr/bin/env node
// The `gongdan` command. The server is TypeScript run through tsx's loader, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/main.ts');
process.exitCode = await main(process.argv.slice(2));
