#!/usr/bin/env node
import { ynl } from '../dist/index.js';
process.exitCode = await ynl(process.argv.slice(2));
