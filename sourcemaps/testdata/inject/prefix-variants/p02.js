#!/usr/bin/env node

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="1f1b535a-53cd-5018-b06d-9c878e52c642")}catch(e){}}();
foo();
//# debugId=1f1b535a-53cd-5018-b06d-9c878e52c642
