/// <reference types="../../node_modules/@as-pect/assembly/types/as-pect.d.ts" />
