#!/usr/bin/env node
"use strict";
console.log(1)
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="089f5a52-c74a-5aa2-b532-9154150c2d45")}catch(e){}}();
//# debugId=089f5a52-c74a-5aa2-b532-9154150c2d45
