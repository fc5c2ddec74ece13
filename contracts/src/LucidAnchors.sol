// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title LucidAnchors
/// @notice Anchors sealed sessions: one registration per session ID, then one anchor per chunk index.
/// The anchors themselves live in the events; storage keeps only what refuses duplicates.
/// No owner, no proxy, no self-destruct.
contract LucidAnchors {
    /// @dev One slot per session: who registered it and how many chunks it may anchor.
    struct Session {
        address registrant;
        uint32 chunkCount;
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
        _sessions[sessionId] = Session({registrant: msg.sender, chunkCount: chunkCount});
        emit SessionRegistered(sessionId, msg.sender, owner, manifestHash, startedAt, merkleRoot, chunkCount);
    }

    function anchorChunk(bytes32 sessionId, uint32 index, bytes32 chunkHash) external {
        Session memory s = _sessions[sessionId];
        if (s.registrant == address(0)) revert SessionNotRegistered(sessionId);
        if (s.registrant != msg.sender) revert NotRegistrant(sessionId, msg.sender);
        if (index >= s.chunkCount) revert ChunkIndexOutOfRange(sessionId, index, s.chunkCount);
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
        Session memory s = _sessions[sessionId];
        return (s.registrant, s.chunkCount);
    }

    function isChunkAnchored(bytes32 sessionId, uint32 index) external view returns (bool) {
        return _anchored[sessionId][index >> 8] & (uint256(1) << (index & 0xff)) != 0;
    }
}
