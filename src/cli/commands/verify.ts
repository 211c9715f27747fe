import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';

export const verify: Command = {
  name: 'verify',
  summary: '(not implemented yet)',
  help: 'udnc verify: not implemented yet\n',
  async run(_argv, io) {
    io.stderr('udnc verify: not implemented yet\n');
    return EXIT.BAD_INPUT;
  },
};
