'use strict';

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="649482fe-21bb-5fd6-ba4e-590a39e0a4c1")}catch(e){}}();
foo();
//# debugId=649482fe-21bb-5fd6-ba4e-590a39e0a4c1
