export const EMULATOR_NAME = 'chime-emulator'
