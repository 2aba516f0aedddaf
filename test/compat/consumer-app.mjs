// The consumer app of consumer-app.cjs, with every module loaded by import (an ES-module Nest app).
import 'reflect-metadata';
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as terminus from '@nestjs/terminus';
import * as host from 'nestjs-plugin-host';
import { createRequire } from 'node:module';

const { run } = createRequire(import.meta.url)('./consumer-app.cjs');
run({ common, core, terminus, host, kind: 'ES-module' });
