// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {TvmEIP712} from "./TvmEIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title PayoutRouterBase
/// @notice What both payout routers share: a stablecoin balance that leaves only through payouts approved by
/// 2 of the 3 registered disburser signers, a pause switch, a per-transaction cap and a daily cap (UTC days).
/// Approval is either EIP-712 signatures over one payout, or over the Merkle root of a batch of payouts (each
/// leaf then paid once with its proof). One nonce space covers both, so no payout is paid twice.
/// Compiled for EVM "paris" so that it runs on TRON's TVM (docs/contracts.md).
abstract contract PayoutRouterBase is AccessControl, Pausable, TvmEIP712 {
    using SafeERC20 for IERC20;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");
    bytes32 public constant PAYOUT_TYPEHASH =
        keccak256("Payout(bytes32 sessionId,address to,uint256 amount,uint256 nonce,uint256 deadline)");
    bytes32 public constant BATCH_TYPEHASH = keccak256("PayoutBatch(bytes32 root,uint256 total,uint256 deadline)");
    uint256 public constant THRESHOLD = 2;

    /// @notice One payout in an approved batch; the leaf is keccak256(keccak256(abi.encode(sessionId, to, amount, nonce))).
    struct BatchPayout {
        bytes32 sessionId;
        address to;
        uint256 amount;
        uint256 nonce;
    }

    struct Batch {
        uint256 remaining;
        uint256 deadline;
        bool approved;
    }

    IERC20 public immutable token;

    address[3] private _signers;
    uint256 public signerSetVersion;
    uint256 public maxPerTx;
    uint256 public dailyCap;
    mapping(uint256 day => uint256 amount) public paidOnDay;
    mapping(uint256 nonce => bool used) public nonceUsed;
    uint256 public totalPaid;
    mapping(bytes32 root => Batch) public batches;

    event Paid(bytes32 indexed sessionId, address indexed to, uint256 amount, uint256 indexed nonce);
    event SignersRotated(uint256 indexed version, address[3] signers);
    event CapsSet(uint256 maxPerTx, uint256 dailyCap);
    event BatchApproved(bytes32 indexed root, uint256 total, uint256 deadline);

    error InvalidSignerSet();
    error InvalidCaps(uint256 maxPerTx, uint256 dailyCap);
    error InvalidRecipient(address to);
    error ZeroAmount();
    error ZeroAddress();
    error Expired(uint256 deadline, uint256 nowTs);
    error NonceAlreadyUsed(uint256 nonce);
    error NotEnoughApprovals(uint256 given, uint256 required);
    error UnknownSigner(address recovered);
    error SignersNotAscending();
    error PerTxCapExceeded(uint256 amount, uint256 cap);
    error DailyCapExceeded(uint256 paidToday, uint256 amount, uint256 cap);
    error TransferFailed();
    error BatchAlreadyApproved(bytes32 root);
    error BatchNotApproved(bytes32 root);
    error InvalidProof();
    error BatchExhausted(bytes32 root, uint256 remaining, uint256 amount);

    /// @param governance gets DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE (signers, caps); the deployer gets no role.
    constructor(
        string memory name,
        IERC20 token_,
        address[3] memory signers_,
        address governance,
        address pauser,
        uint256 maxPerTx_,
        uint256 dailyCap_
    ) TvmEIP712(name, "1") {
        if (address(token_) == address(0) || governance == address(0) || pauser == address(0)) revert ZeroAddress();
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _grantRole(GOVERNANCE_ROLE, governance);
        _grantRole(PAUSER_ROLE, pauser);
        _setSigners(signers_);
        _setCaps(maxPerTx_, dailyCap_);
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @notice Rotates the 2-of-3 signer set (mirrors ParamRegistry.disbursers on the Lucid chain).
    function setSigners(address[3] calldata signers_) external onlyRole(GOVERNANCE_ROLE) {
        _setSigners(signers_);
    }

    function setCaps(uint256 maxPerTx_, uint256 dailyCap_) external onlyRole(GOVERNANCE_ROLE) {
        _setCaps(maxPerTx_, dailyCap_);
    }

    function signers() external view returns (address[3] memory) {
        return _signers;
    }

    function isSigner(address account) public view returns (bool) {
        return account != address(0) && (account == _signers[0] || account == _signers[1] || account == _signers[2]);
    }

    /// @notice The EIP-712 digest the disbursers sign for one payout.
    function payoutDigest(bytes32 sessionId, address to, uint256 amount, uint256 nonce, uint256 deadline)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(PAYOUT_TYPEHASH, sessionId, to, amount, nonce, deadline)));
    }

    function today() public view returns (uint256) {
        return block.timestamp / 1 days;
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The EIP-712 digest the disbursers sign to approve a batch of payouts.
    function batchDigest(bytes32 root, uint256 total, uint256 deadline) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(BATCH_TYPEHASH, root, total, deadline)));
    }

    /// @notice The Merkle leaf of one batch payout (OpenZeppelin's double-hashed standard leaf).
    function batchLeaf(BatchPayout calldata p) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(p.sessionId, p.to, p.amount, p.nonce))));
    }

    /// @notice Approves a batch: its leaves may then be paid, up to `total` in all, until `deadline`.
    /// Anyone may submit; the signatures (as for a single payout) are the authority. A root is approved once.
    function approveBatch(bytes32 root, uint256 total, uint256 deadline, bytes[] calldata signatures)
        external
        whenNotPaused
    {
        if (batches[root].approved) revert BatchAlreadyApproved(root);
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > deadline) revert Expired(deadline, block.timestamp);
        _requireApprovals(batchDigest(root, total, deadline), signatures);
        batches[root] = Batch({remaining: total, deadline: deadline, approved: true});
        emit BatchApproved(root, total, deadline);
    }

    /// @dev A payout approved on its own: deadline and signatures, then the common checks.
    function _disburseSigned(
        bytes32 sessionId,
        address to,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        bytes[] calldata signatures
    ) internal {
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > deadline) revert Expired(deadline, block.timestamp);
        if (nonceUsed[nonce]) revert NonceAlreadyUsed(nonce);
        _requireApprovals(payoutDigest(sessionId, to, amount, nonce, deadline), signatures);
        _pay(sessionId, to, amount, nonce);
    }

    /// @dev A payout from an approved batch: the batch's deadline, the proof and its remaining total.
    function _disburseBatched(bytes32 root, BatchPayout calldata p, bytes32[] calldata proof) internal {
        Batch storage b = batches[root];
        if (!b.approved) revert BatchNotApproved(root);
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > b.deadline) revert Expired(b.deadline, block.timestamp);
        if (!MerkleProof.verifyCalldata(proof, root, batchLeaf(p))) revert InvalidProof();
        if (nonceUsed[p.nonce]) revert NonceAlreadyUsed(p.nonce);
        if (p.amount > b.remaining) revert BatchExhausted(root, b.remaining, p.amount);
        b.remaining -= p.amount;
        _pay(p.sessionId, p.to, p.amount, p.nonce);
    }

    /// @dev The checks every payout passes whatever approved it; consumes the nonce, counts the caps, transfers,
    /// emits Paid.
    function _pay(bytes32 sessionId, address to, uint256 amount, uint256 nonce) private whenNotPaused {
        if (to == address(0) || to == address(this)) revert InvalidRecipient(to);
        if (amount == 0) revert ZeroAmount();
        if (nonceUsed[nonce]) revert NonceAlreadyUsed(nonce);
        if (amount > maxPerTx) revert PerTxCapExceeded(amount, maxPerTx);
        uint256 day = today();
        uint256 paid = paidOnDay[day];
        if (paid + amount > dailyCap) revert DailyCapExceeded(paid, amount, dailyCap);
        nonceUsed[nonce] = true;
        paidOnDay[day] = paid + amount;
        totalPaid += amount;
        _transfer(to, amount);
        emit Paid(sessionId, to, amount, nonce);
    }

    /// @dev At least THRESHOLD signatures, every one from a distinct registered signer, in ascending signer order
    /// (which refuses the same signer twice without a loop over pairs).
    function _requireApprovals(bytes32 digest, bytes[] calldata signatures) internal view {
        if (signatures.length < THRESHOLD) revert NotEnoughApprovals(signatures.length, THRESHOLD);
        address last = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (!isSigner(signer)) revert UnknownSigner(signer);
            if (signer <= last) revert SignersNotAscending();
            last = signer;
        }
    }

    /// @dev TRON's USDT returns false from a transfer that succeeded, so the return value is not trusted either
    /// way: the transfer counts only if both balances moved by exactly `amount` (fee-on-transfer tokens fail).
    function _transfer(address to, uint256 amount) private {
        uint256 ownBefore = token.balanceOf(address(this));
        uint256 toBefore = token.balanceOf(to);
        token.trySafeTransfer(to, amount);
        if (token.balanceOf(address(this)) + amount != ownBefore || token.balanceOf(to) != toBefore + amount) {
            revert TransferFailed();
        }
    }

    function _setSigners(address[3] memory s) private {
        if (
            s[0] == address(0) || s[1] == address(0) || s[2] == address(0) || s[0] == s[1] || s[0] == s[2]
                || s[1] == s[2]
        ) revert InvalidSignerSet();
        _signers = s;
        signerSetVersion++;
        emit SignersRotated(signerSetVersion, s);
    }

    function _setCaps(uint256 maxPerTx_, uint256 dailyCap_) private {
        if (maxPerTx_ == 0 || maxPerTx_ > dailyCap_) revert InvalidCaps(maxPerTx_, dailyCap_);
        maxPerTx = maxPerTx_;
        dailyCap = dailyCap_;
        emit CapsSet(maxPerTx_, dailyCap_);
    }
}
