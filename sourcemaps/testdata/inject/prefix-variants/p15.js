'use strict';
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="e6ec7ac7-7a94-588d-accd-40d2217f289c")}catch(e){}}();

foo();
//# debugId=e6ec7ac7-7a94-588d-accd-40d2217f289c
