import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';

export const action: Command = {
  name: 'action',
  summary: '(not implemented yet)',
  help: 'udnc action: not implemented yet\n',
  async run(_argv, io) {
    io.stderr('udnc action: not implemented yet\n');
    return EXIT.BAD_INPUT;
  },
};
