/*! license */
"use client";
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="488c2026-2e0e-5a8d-902d-af99f4b6c532")}catch(e){}}();

x
//# debugId=488c2026-2e0e-5a8d-902d-af99f4b6c532
