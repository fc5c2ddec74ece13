// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title LucidAnchors
/// @notice Anchors sealed sessions: one registration per session ID, then one anchor per chunk index.
/// The chunk anchors live in the events; storage keeps what refuses duplicates and what a registration anchored
/// (registrant, chunk count, Merkle root), which the Lucid chain's PoOT rules read straight from storage.
/// No owner, no proxy, no self-destruct.
contract LucidAnchors {
    /// @dev Storage layout, read directly by the chain (node/src/chain/anchor-values.ts), so keep it:
    /// `_sessions` is storage slot 0; the struct of `sessionId` starts at keccak256(sessionId ‖ uint256(0)):
    ///   word 0: registrant (low 20 bytes), then chunkCount (the next 4 bytes, uint32), then registeredAt (the top
    ///   8 bytes, uint64: the number of the block that registered it, which PoOT uses to let each registration earn
    ///   one block reward once);
    ///   word 1: merkleRoot.
    struct Session {
        address registrant;
        uint32 chunkCount;
        uint64 registeredAt;
        bytes32 merkleRoot;
    }

    mapping(bytes32 sessionId => Session) private _sessions;
    /// @dev Bitmap of anchored chunk indexes: word = index / 256, bit = index % 256.
    mapping(bytes32 sessionId => mapping(uint256 word => uint256 bits)) private _anchored;

    event SessionRegistered(
        bytes32 indexed sessionId,
        address indexed registrant,
        address indexed owner,
        bytes32 manifestHash,
        uint64 startedAt,
        bytes32 merkleRoot,
        uint32 chunkCount
    );
    event ChunkAnchored(bytes32 indexed sessionId, uint32 indexed index, bytes32 chunkHash);

    error ZeroSessionId();
    error ZeroOwner();
    error SessionAlreadyRegistered(bytes32 sessionId);
    error SessionNotRegistered(bytes32 sessionId);
    error NotRegistrant(bytes32 sessionId, address caller);
    error ChunkIndexOutOfRange(bytes32 sessionId, uint32 index, uint32 chunkCount);
    error ChunkAlreadyAnchored(bytes32 sessionId, uint32 index);

    function registerSession(
        bytes32 sessionId,
        bytes32 manifestHash,
        uint64 startedAt,
        address owner,
        bytes32 merkleRoot,
        uint32 chunkCount
    ) external {
        if (sessionId == bytes32(0)) revert ZeroSessionId();
        if (owner == address(0)) revert ZeroOwner();
        if (_sessions[sessionId].registrant != address(0)) revert SessionAlreadyRegistered(sessionId);
        _sessions[sessionId] = Session({
            registrant: msg.sender,
            chunkCount: chunkCount,
            registeredAt: uint64(block.number),
            merkleRoot: merkleRoot
        });
        emit SessionRegistered(sessionId, msg.sender, owner, manifestHash, startedAt, merkleRoot, chunkCount);
    }

    function anchorChunk(bytes32 sessionId, uint32 index, bytes32 chunkHash) external {
        Session storage s = _sessions[sessionId];
        address registrant = s.registrant;
        uint32 chunkCount = s.chunkCount;
        if (registrant == address(0)) revert SessionNotRegistered(sessionId);
        if (registrant != msg.sender) revert NotRegistrant(sessionId, msg.sender);
        if (index >= chunkCount) revert ChunkIndexOutOfRange(sessionId, index, chunkCount);
        uint256 word = index >> 8;
        uint256 bit = uint256(1) << (index & 0xff);
        uint256 bits = _anchored[sessionId][word];
        if (bits & bit != 0) revert ChunkAlreadyAnchored(sessionId, index);
        _anchored[sessionId][word] = bits | bit;
        emit ChunkAnchored(sessionId, index, chunkHash);
    }

    function isSessionRegistered(bytes32 sessionId) external view returns (bool) {
        return _sessions[sessionId].registrant != address(0);
    }

    /// @return registrant the address allowed to anchor chunks (zero when unregistered)
    /// @return chunkCount the number of chunk indexes the session may anchor
    function sessionInfo(bytes32 sessionId) external view returns (address registrant, uint32 chunkCount) {
        Session storage s = _sessions[sessionId];
        return (s.registrant, s.chunkCount);
    }

    /// @notice What the registration anchored (all zero when unregistered).
    /// @return registrant the address allowed to anchor chunks
    /// @return merkleRoot the BLAKE3 Merkle root of the session's encrypted chunks
    /// @return chunkCount the number of chunks
    function sessionAnchor(bytes32 sessionId)
        external
        view
        returns (address registrant, bytes32 merkleRoot, uint32 chunkCount)
    {
        Session storage s = _sessions[sessionId];
        return (s.registrant, s.merkleRoot, s.chunkCount);
    }

    /// @return the number of the block that registered the session (0 when unregistered)
    function registeredAt(bytes32 sessionId) external view returns (uint64) {
        return _sessions[sessionId].registeredAt;
    }

    function isChunkAnchored(bytes32 sessionId, uint32 index) external view returns (bool) {
        return _anchored[sessionId][index >> 8] & (uint256(1) << (index & 0xff)) != 0;
    }
}
