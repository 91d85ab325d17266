  　
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="cfaa6a8a-bfe4-5b0f-b55a-f2a66cf9b2a0")}catch(e){}}();
foo();
//# debugId=cfaa6a8a-bfe4-5b0f-b55a-f2a66cf9b2a0
