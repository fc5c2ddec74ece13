// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title TvmEIP712
/// @notice Standard EIP-712 domain (name, version, chainId, verifyingContract) and typed-data digest, producing
/// exactly the digests of OpenZeppelin's EIP712. Why not OpenZeppelin's: in OZ 5.7 it imports Strings, which
/// imports Bytes, whose assembly uses MCOPY; that cannot compile for EVM "paris", and the routers target
/// "paris" so that they run on every TVM version (MCOPY needs TRON's Kant upgrade). See docs/contracts.md.
abstract contract TvmEIP712 {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    bytes32 private immutable _hashedName;
    bytes32 private immutable _hashedVersion;
    uint256 private immutable _cachedChainId;
    bytes32 private immutable _cachedDomainSeparator;

    constructor(string memory name, string memory version) {
        _hashedName = keccak256(bytes(name));
        _hashedVersion = keccak256(bytes(version));
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    function _domainSeparatorV4() internal view returns (bytes32) {
        return block.chainid == _cachedChainId ? _cachedDomainSeparator : _buildDomainSeparator();
    }

    /// @dev keccak256("\x19\x01" ‖ domainSeparator ‖ structHash), as EIP-712 and OZ MessageHashUtils define it.
    function _hashTypedDataV4(bytes32 structHash) internal view returns (bytes32 digest) {
        bytes32 separator = _domainSeparatorV4();
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), separator)
            mstore(add(ptr, 0x22), structHash)
            digest := keccak256(ptr, 0x42)
        }
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, _hashedName, _hashedVersion, block.chainid, address(this)));
    }
}
