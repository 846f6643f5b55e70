#!/usr/bin/env node
// The `gatehouse` command: the compiled CLI (dist/, `npm run build`) when built since the last change of src/, else the TypeScript through tsx.
import { launch } from './launch.js';

await launch('cli/main', 'if-current');
