// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @notice The part of ParamRegistry this contract reads: the canonical 2-of-3 disburser set.
interface IDisburserRegistry {
    function isDisburser(address account) external view returns (bool);
}

/// @title PayoutBatches
/// @notice The Lucid chain's record of payout batches: at most one batch per payout epoch, each published as
/// `PayoutBatchCommitted(epoch, root, batch)` for the TRON payout sidecar, which verifies everything in `batch`
/// again before paying (docs/payment-sidecar.md). `root` is the batch's BLAKE3 Merkle root (protocols/poot),
/// `batch` is abi.encode(Entry[], Approval[]); BLAKE3 is not an EVM precompile, so the root is not recomputed here.
///
/// Who commits: a current disburser of ParamRegistry, with the EIP-712 signatures of at least 2 distinct
/// disbursers (ascending by address) over PayoutBatchCommit(epoch, root, keccak256(batch)) in this contract's
/// domain, so no single disburser key can publish a batch; or the chain's system address (keyless: only the
/// chain runtime's own system write can act as it, re-executed by every node), which needs no signatures.
contract PayoutBatches is EIP712 {
    bytes32 public constant COMMIT_TYPEHASH = keccak256("PayoutBatchCommit(uint64 epoch,bytes32 root,bytes32 batchHash)");
    uint256 public constant THRESHOLD = 2;

    struct Commitment {
        bytes32 root;
        bytes32 batchHash;
        uint64 blockNumber;
        address committer;
    }

    /// @notice The disburser registry (ParamRegistry): read at every commit, so a rotation applies at once.
    IDisburserRegistry public immutable registry;
    /// @notice The chain's system address (0xff…fe on the Lucid chain; a test account in tests).
    address public immutable systemAddress;

    mapping(uint64 epoch => Commitment) private _commitments;
    uint64[] private _epochs;

    event PayoutBatchCommitted(uint64 indexed epoch, bytes32 indexed root, bytes batch);

    error ZeroAddress();
    error NotCommitter(address caller);
    error ZeroRoot();
    error EmptyBatch();
    error EpochAlreadyCommitted(uint64 epoch, bytes32 root);
    error NotEnoughApprovals(uint256 given, uint256 required);
    error UnknownSigner(address signer);
    error SignersNotAscending();

    constructor(IDisburserRegistry registry_, address systemAddress_) EIP712("LucidPayoutBatches", "1") {
        if (address(registry_) == address(0) || systemAddress_ == address(0)) revert ZeroAddress();
        registry = registry_;
        systemAddress = systemAddress_;
    }

    /// @notice Commits the payout batch of `epoch`. Refused: a caller that is neither a disburser nor the system
    /// address, a zero root, an empty batch, an epoch committed before, and (for a disburser) fewer than 2
    /// signatures, a signature not by a current disburser, or signers not strictly ascending.
    function commit(uint64 epoch, bytes32 root, bytes calldata batch, bytes[] calldata signatures) external {
        bool system = msg.sender == systemAddress;
        if (!system && !registry.isDisburser(msg.sender)) revert NotCommitter(msg.sender);
        if (root == bytes32(0)) revert ZeroRoot();
        if (batch.length == 0) revert EmptyBatch();
        Commitment storage c = _commitments[epoch];
        if (c.root != bytes32(0)) revert EpochAlreadyCommitted(epoch, c.root);
        bytes32 batchHash = keccak256(batch);
        if (!system) _requireApprovals(commitDigest(epoch, root, batchHash), signatures);
        c.root = root;
        c.batchHash = batchHash;
        c.blockNumber = uint64(block.number);
        c.committer = msg.sender;
        _epochs.push(epoch);
        emit PayoutBatchCommitted(epoch, root, batch);
    }

    /// @notice What the disbursers sign to let a batch be committed.
    function commitDigest(uint64 epoch, bytes32 root, bytes32 batchHash) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(COMMIT_TYPEHASH, epoch, root, batchHash)));
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The commitment of `epoch` (all zero when none).
    function commitmentOf(uint64 epoch) external view returns (bytes32 root, bytes32 batchHash, uint64 blockNumber, address committer) {
        Commitment storage c = _commitments[epoch];
        return (c.root, c.batchHash, c.blockNumber, c.committer);
    }

    function isCommitted(uint64 epoch) external view returns (bool) {
        return _commitments[epoch].root != bytes32(0);
    }

    /// @notice Committed epochs in commit order.
    function committedEpochs() external view returns (uint64[] memory) {
        return _epochs;
    }

    function epochCount() external view returns (uint256) {
        return _epochs.length;
    }

    /// @dev At least THRESHOLD signatures, each from a current disburser, in strictly ascending signer order (which
    /// refuses one signer twice without a loop over pairs).
    function _requireApprovals(bytes32 digest, bytes[] calldata signatures) private view {
        if (signatures.length < THRESHOLD) revert NotEnoughApprovals(signatures.length, THRESHOLD);
        address last = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (!registry.isDisburser(signer)) revert UnknownSigner(signer);
            if (signer <= last) revert SignersNotAscending();
            last = signer;
        }
    }
}
