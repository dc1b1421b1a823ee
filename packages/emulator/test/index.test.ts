import t from 'tap'
import { EMULATOR_NAME } from '../src/index.js'
import { main } from '../src/cli.js'
t.equal(EMULATOR_NAME, 'chime-emulator')
t.equal(await main([]), 0)
