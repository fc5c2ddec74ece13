// The shape of a committed build artifact (contracts/build/<Name>.json).
export interface Artifact {
  contractName: string
  sourceName: string
  compiler: string
  evmVersion: string
  optimizerRuns: number
  abi: readonly unknown[]
  /** creation bytecode, 0x-prefixed */
  bytecode: string
  /** runtime bytecode, 0x-prefixed */
  deployedBytecode: string
  /** the contract's own state variables' storage slots (solc's storageLayout: slot as a decimal string) */
  storage: ReadonlyArray<{ label: string, slot: string, offset: number }>
}
