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
///
/// The chain computes the entitlements itself (docs/chain.md, "System writes"): the disbursers declare an epoch's
/// income (`declareIncome`, 2-of-3 signatures), and at the first block of the next payout epoch the system address
/// records the batch the chain computed (`recordEntitlements`) with the state the next computation starts from
/// (vault, rollovers, holder set). Once a non-zero root is recorded for an epoch, a commit must carry exactly it.
contract PayoutBatches is EIP712 {
    bytes32 public constant COMMIT_TYPEHASH = keccak256("PayoutBatchCommit(uint64 epoch,bytes32 root,bytes32 batchHash)");
    bytes32 public constant INCOME_TYPEHASH = keccak256("PayoutIncome(uint64 epoch,uint256 grossUsd,uint256 networkFeeUsd)");
    uint256 public constant THRESHOLD = 2;
    /// @notice The most parts a batch is committed in (a bitmap of published parts fits one word).
    uint256 public constant MAX_PARTS = 256;

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

    struct Income {
        uint256 grossUsd;
        uint256 networkFeeUsd;
        bool declared;
    }

    struct Entitled {
        bytes32 root;
        bool written;
        uint64 blockNumber;
    }

    mapping(uint64 epoch => Commitment) private _commitments;
    uint64[] private _epochs;

    mapping(uint64 epoch => bytes32[]) private _partHashes;
    /// @dev bit i set: part i published
    mapping(uint64 epoch => uint256) private _partsPublished;

    mapping(uint64 epoch => Income) private _income;
    mapping(uint64 epoch => Entitled) private _entitled;
    /// @dev What the next system write starts from: holders seen so far (beyond the genesis allocation and the
    /// entities' reward addresses, which every node knows from genesis), rollovers and the holdings vault.
    address[] private _holders;
    mapping(address => bool) private _isHolder;
    /// @dev The rollovers the last write carried, as keccak256(abi.encode(accounts, amounts)), and how many: two
    /// storage words whatever their number. The list itself is in that write's calldata, and every node keeps it by
    /// this hash for the next epoch's computation (the chain checks it against the hash before using it).
    bytes32 private _rolloverHash;
    uint256 private _rolloverCount;
    uint256 private _vaultBalanceUsd;
    uint256 private _vaultNextGoalUsd;

    event PayoutBatchCommitted(uint64 indexed epoch, bytes32 indexed root, bytes batch);
    /// @notice A batch committed in parts: `head` is its first piece, `partHashes` the keccak256 of each part to come.
    event PayoutBatchPartsCommitted(uint64 indexed epoch, bytes32 indexed root, bytes head, bytes32[] partHashes);
    /// @notice Part `part` of `parts` of the batch of `epoch`, as committed.
    event PayoutBatchPart(uint64 indexed epoch, bytes32 indexed root, uint32 part, uint32 parts, bytes batch);
    event PayoutIncomeDeclared(uint64 indexed epoch, uint256 grossUsd, uint256 networkFeeUsd, address declarer);
    /// @notice The batch the chain computed for `epoch`: `entries` = abi.encode(tuple(uint32 index, address to,
    /// uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd, uint256 netUsd)[]); `root` is
    /// their BLAKE3 Merkle root (zero when nothing is paid).
    event PayoutEntitlements(uint64 indexed epoch, bytes32 indexed root, bytes entries);

    error ZeroAddress();
    error NotCommitter(address caller);
    error ZeroRoot();
    error EmptyBatch();
    error EpochAlreadyCommitted(uint64 epoch, bytes32 root);
    error NotEnoughApprovals(uint256 given, uint256 required);
    error UnknownSigner(address signer);
    error SignersNotAscending();
    error NotSystem(address caller);
    error NotDisburser(address caller);
    error IncomeAlreadyDeclared(uint64 epoch);
    error EntitlementsAlreadyWritten(uint64 epoch);
    error RootMismatch(uint64 epoch, bytes32 expected, bytes32 given);
    error LengthMismatch();
    error BadPartCount(uint256 parts);
    error UnknownPart(uint64 epoch, uint32 part);
    error PartAlreadyPublished(uint64 epoch, uint32 part);
    error PartHashMismatch(uint64 epoch, uint32 part);

    constructor(IDisburserRegistry registry_, address systemAddress_) EIP712("LucidPayoutBatches", "1") {
        if (address(registry_) == address(0) || systemAddress_ == address(0)) revert ZeroAddress();
        registry = registry_;
        systemAddress = systemAddress_;
    }

    /// @notice Commits the payout batch of `epoch`. Refused: a caller that is neither a disburser nor the system
    /// address, a zero root, an empty batch, an epoch committed before, a root other than the one the system wrote
    /// for the epoch (when it wrote a non-zero one), and (for a disburser) fewer than 2
    /// signatures, a signature not by a current disburser, or signers not strictly ascending.
    function commit(uint64 epoch, bytes32 root, bytes calldata batch, bytes[] calldata signatures) external {
        _commit(epoch, root, batch.length, keccak256(batch), signatures);
        emit PayoutBatchCommitted(epoch, root, batch);
    }

    /// @notice Commits the payout batch of `epoch` in parts: `head` now, the parts whose keccak256 are `partHashes`
    /// later (publishPart). Refused as commit() is, and for fewer than 2 or more than MAX_PARTS parts.
    function commitParts(uint64 epoch, bytes32 root, bytes calldata head, bytes32[] calldata partHashes, bytes[] calldata signatures) external {
        if (partHashes.length < 2 || partHashes.length > MAX_PARTS) revert BadPartCount(partHashes.length);
        _commit(epoch, root, head.length, partsBatchHash(head, partHashes), signatures);
        _partHashes[epoch] = partHashes;
        emit PayoutBatchPartsCommitted(epoch, root, head, partHashes);
    }

    /// @notice Publishes part `part` of a batch committed in parts: exactly the bytes committed, once. Anyone may
    /// send it (the commitment binds the content).
    function publishPart(uint64 epoch, uint32 part, bytes calldata batch) external {
        bytes32[] storage hashes = _partHashes[epoch];
        if (part >= hashes.length) revert UnknownPart(epoch, part);
        uint256 bit = uint256(1) << part;
        if (_partsPublished[epoch] & bit != 0) revert PartAlreadyPublished(epoch, part);
        if (keccak256(batch) != hashes[part]) revert PartHashMismatch(epoch, part);
        _partsPublished[epoch] |= bit;
        emit PayoutBatchPart(epoch, _commitments[epoch].root, part, uint32(hashes.length), batch);
    }

    /// @notice The batch hash the disbursers approve for a batch committed in parts.
    function partsBatchHash(bytes calldata head, bytes32[] calldata partHashes) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(keccak256(head), partHashes));
    }

    /// @notice A batch committed in parts: the part hashes and which are published (bit i: part i). No parts: a
    /// batch committed whole, or none.
    function partsOf(uint64 epoch) external view returns (bytes32[] memory partHashes, uint256 publishedBits) {
        return (_partHashes[epoch], _partsPublished[epoch]);
    }

    function _commit(uint64 epoch, bytes32 root, uint256 length, bytes32 batchHash, bytes[] calldata signatures) private {
        bool system = msg.sender == systemAddress;
        if (!system && !registry.isDisburser(msg.sender)) revert NotCommitter(msg.sender);
        if (root == bytes32(0)) revert ZeroRoot();
        if (length == 0) revert EmptyBatch();
        Commitment storage c = _commitments[epoch];
        if (c.root != bytes32(0)) revert EpochAlreadyCommitted(epoch, c.root);
        bytes32 computed = _entitled[epoch].root;
        if (computed != bytes32(0) && computed != root) revert RootMismatch(epoch, computed, root);
        if (!system) _requireApprovals(commitDigest(epoch, root, batchHash), signatures);
        c.root = root;
        c.batchHash = batchHash;
        c.blockNumber = uint64(block.number);
        c.committer = msg.sender;
        _epochs.push(epoch);
    }

    /// @notice Declares the gross income and the per-transfer network fee (USD, 6 decimals) of payout epoch `epoch`,
    /// which the chain's system write shares out at the first block of the next epoch. Sent by a current disburser
    /// with at least 2 disbursers' signatures (ascending) over PayoutIncome(epoch, grossUsd, networkFeeUsd). Refused:
    /// a second declaration, and an epoch whose entitlements were written or whose batch was committed.
    function declareIncome(uint64 epoch, uint256 grossUsd, uint256 networkFeeUsd, bytes[] calldata signatures) external {
        if (!registry.isDisburser(msg.sender)) revert NotDisburser(msg.sender);
        if (_entitled[epoch].written) revert EntitlementsAlreadyWritten(epoch);
        if (_commitments[epoch].root != bytes32(0)) revert EpochAlreadyCommitted(epoch, _commitments[epoch].root);
        Income storage inc = _income[epoch];
        if (inc.declared) revert IncomeAlreadyDeclared(epoch);
        _requireApprovals(incomeDigest(epoch, grossUsd, networkFeeUsd), signatures);
        inc.grossUsd = grossUsd;
        inc.networkFeeUsd = networkFeeUsd;
        inc.declared = true;
        emit PayoutIncomeDeclared(epoch, grossUsd, networkFeeUsd, msg.sender);
    }

    /// @notice The system's record of the accounts the block before wrote (system address only, at every block
    /// whose parent wrote any beyond those every node knows from genesis): those with a LUCID balance and no code that
    /// are not stored yet are appended, in order, so the payout epoch's boundary finds its holders stored and the
    /// cost of storing them falls on the blocks that made them, bounded by those blocks' own gas.
    function recordHolders(address[] calldata accounts) external {
        if (msg.sender != systemAddress) revert NotSystem(msg.sender);
        for (uint256 i = 0; i < accounts.length; i++) {
            address a = accounts[i];
            if (a.balance != 0 && a.code.length == 0) _addHolder(a);
        }
    }

    function _addHolder(address a) private {
        if (_isHolder[a]) return;
        _isHolder[a] = true;
        _holders.push(a);
    }

    /// @notice The system write of an epoch's entitlements (system address only, once per epoch): the root and
    /// entries the chain computed, and the state the next epoch's computation starts from. Holders not stored yet
    /// (those of the block before the write's) are appended.
    function recordEntitlements(
        uint64 epoch,
        bytes32 root,
        bytes calldata entries,
        address[] calldata newHolders,
        address[] calldata rolloverAccounts,
        uint256[] calldata rolloverAmounts,
        uint256 vaultBalanceUsd,
        uint256 vaultNextGoalUsd
    ) external {
        if (msg.sender != systemAddress) revert NotSystem(msg.sender);
        Entitled storage w = _entitled[epoch];
        if (w.written) revert EntitlementsAlreadyWritten(epoch);
        if (rolloverAccounts.length != rolloverAmounts.length) revert LengthMismatch();
        w.root = root;
        w.written = true;
        w.blockNumber = uint64(block.number);
        for (uint256 i = 0; i < newHolders.length; i++) _addHolder(newHolders[i]);
        _rolloverHash = keccak256(abi.encode(rolloverAccounts, rolloverAmounts));
        if (_rolloverCount != rolloverAccounts.length) _rolloverCount = rolloverAccounts.length;
        _vaultBalanceUsd = vaultBalanceUsd;
        _vaultNextGoalUsd = vaultNextGoalUsd;
        emit PayoutEntitlements(epoch, root, entries);
    }

    /// @notice What the disbursers sign to declare an epoch's income.
    function incomeDigest(uint64 epoch, uint256 grossUsd, uint256 networkFeeUsd) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(INCOME_TYPEHASH, epoch, grossUsd, networkFeeUsd)));
    }

    function incomeOf(uint64 epoch) external view returns (bool declared, uint256 grossUsd, uint256 networkFeeUsd) {
        Income storage inc = _income[epoch];
        return (inc.declared, inc.grossUsd, inc.networkFeeUsd);
    }

    /// @notice Whether the system wrote `epoch`'s entitlements, their root (zero: nothing to pay, not binding) and
    /// the block that wrote them (the system write makes no receipt: a node recomputes the entries from that block's
    /// parent, lucid_payoutEntitlements).
    function entitlementsOf(uint64 epoch) external view returns (bool written, bytes32 root, uint64 blockNumber) {
        Entitled storage w = _entitled[epoch];
        return (w.written, w.root, w.blockNumber);
    }

    /// @notice The state the next system write starts from (vault next goal 0: no write yet): the vault, and the
    /// rollovers as keccak256(abi.encode(accounts, amounts)) of the last write's lists and their length (zero hash
    /// before any write).
    function payoutState() external view returns (uint256 vaultBalanceUsd, uint256 vaultNextGoalUsd, bytes32 rolloverHash, uint256 rolloverCount) {
        return (_vaultBalanceUsd, _vaultNextGoalUsd, _rolloverHash, _rolloverCount);
    }

    function payoutHolders() external view returns (address[] memory) {
        return _holders;
    }

    function isHolder(address account) external view returns (bool) {
        return _isHolder[account];
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
