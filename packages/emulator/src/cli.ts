export async function main (_argv: string[]): Promise<number> {
  process.stdout.write('chime-emulator: not implemented yet\n')
  return 0
}
