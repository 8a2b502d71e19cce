#!/usr/bin/env node
// The ynl-dpctl command (see ./index.ts and --help).
import { dpctl } from './index.js';

process.exitCode = await dpctl(process.argv.slice(2));
